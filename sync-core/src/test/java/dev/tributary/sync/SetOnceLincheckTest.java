package dev.tributary.sync;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link SetOnce} with Lincheck: racing {@code set} calls (exactly one wins, the
 * others get {@link SetOnce.AlreadySetException}), the lock-free {@code get} and {@code
 * initialized}, and waits for the value: kept, cancelled at once, or withdrawn by an external
 * {@code completeExceptionally} (as {@code orTimeout} does), racing the {@code set} that claims
 * them.
 *
 * <p>The sequential specification is this class run sequentially, where a wait that must wait is
 * always withdrawn ({@link Withdrawn#CANCELLED}, {@link Withdrawn#TIMED_OUT}) or kept pending
 * ({@link Withdrawn#WAITING}). A cancel that lands after {@code set} claimed the waiter but before
 * it completed the future wins and consumes nothing (the value stays in the cell): it linearizes as
 * a withdrawal before the {@code set}. {@code SetOnce} has no {@code trySet}: {@code set} reports
 * the loss as {@link SetResult#ALREADY_SET}. After each scenario {@link #validate()} checks every
 * kept wait: complete with the cell's value if it is set (no lost wake-up, every waiter sees the
 * one value), pending and still linked otherwise, and no withdrawn waiter left linked.
 *
 * <p>Checked to fail: a sequential specification whose {@code set} succeeds twice is caught at
 * once. Budget: about 8 s on two busy cores; run deeper with, e.g., {@code -Dlincheck.iterations=50
 * -Dlincheck.invocations=2000}.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class SetOnceLincheckTest {

    /** The outcome of {@code set}. */
    public enum SetResult {
        /** This call set the value. */
        SET,
        /** The cell was set before: {@link SetOnce.AlreadySetException}, carrying our value. */
        ALREADY_SET
    }

    /** The outcome of a wait for the value. */
    public sealed interface WaitResult permits Got, Withdrawn {}

    /**
     * The wait completed with the value.
     *
     * @param value the value
     */
    public record Got(int value) implements WaitResult {}

    /** The wait did not complete with a value. */
    public enum Withdrawn implements WaitResult {
        /** Withdrawn by {@code cancel}. */
        CANCELLED,
        /** Withdrawn by an external {@code completeExceptionally}. */
        TIMED_OUT,
        /** Kept pending, for {@link #validate()}. */
        WAITING
    }

    private final SetOnce<Integer> cell = new SetOnce<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Integer>> kept =
            new ConcurrentLinkedQueue<>();

    /** Creates the scenario's cell. */
    public SetOnceLincheckTest() {}

    /**
     * {@link SetOnce#set(Object)}.
     *
     * @param v the value
     * @return {@code SET} or {@code ALREADY_SET}
     */
    @Operation
    public SetResult set(@Param(name = "v") int v) {
        try {
            cell.set(v);
            return SetResult.SET;
        } catch (SetOnce.AlreadySetException e) {
            if (!Integer.valueOf(v).equals(e.value())) {
                throw new AssertionError("rejected value " + e.value() + " instead of " + v);
            }
            return SetResult.ALREADY_SET;
        }
    }

    /**
     * {@link SetOnce#get()}.
     *
     * @return the value, or null
     */
    @Operation
    public Integer get() {
        return cell.get();
    }

    /**
     * {@link SetOnce#initialized()}.
     *
     * @return whether the cell is set
     */
    @Operation
    public boolean initialized() {
        return cell.initialized();
    }

    /**
     * {@link SetOnce#await()}, cancelled at once.
     *
     * @return the value if it was there first, else {@code CANCELLED}
     */
    @Operation
    public WaitResult awaitThenCancel() {
        CompletableFuture<Integer> f = cell.await();
        return f.cancel(false) ? Withdrawn.CANCELLED : new Got(f.join());
    }

    /**
     * {@link SetOnce#await()}, withdrawn at once by {@code completeExceptionally}.
     *
     * @return the value if it was there first, else {@code TIMED_OUT}
     */
    @Operation
    public WaitResult awaitThenTimeOut() {
        CompletableFuture<Integer> f = cell.await();
        return f.completeExceptionally(new TimeoutException())
                ? Withdrawn.TIMED_OUT
                : new Got(f.join());
    }

    /**
     * {@link SetOnce#await()}, kept for {@link #validate()}.
     *
     * @return the value if complete at once, else {@code WAITING}
     */
    @Operation
    public WaitResult awaitKeep() {
        CompletableFuture<Integer> f = cell.await();
        if (f.isDone()) {
            return new Got(f.join());
        }
        kept.add(f);
        return Withdrawn.WAITING;
    }

    /** After each scenario: kept waits agree with the cell; withdrawn ones are unlinked. */
    @Validate
    public void validate() {
        Integer v = cell.get();
        for (CompletableFuture<Integer> f : kept) {
            if (v != null ? !f.isDone() || !v.equals(f.join()) : f.isDone()) {
                throw new IllegalStateException("a kept wait disagrees with " + cell + ": " + f);
            }
        }
        int linked = cell.queuedWaiters();
        if (linked != (v != null ? 0 : kept.size())) {
            throw new IllegalStateException(linked + " waiters linked, " + kept.size() + " kept");
        }
    }

    @Test
    void modelCheck() {
        ModelChecks.options(5, 120)
                .actorsBefore(1)
                .actorsAfter(1)
                // A wait cancelled while set claims it; two sets race.
                .addCustomScenario(
                        ModelChecks.scenario(
                                SetOnceLincheckTest.class,
                                "validate",
                                List.of(ModelChecks.op("awaitKeep")),
                                List.of(
                                        List.of(ModelChecks.op("set", 1)),
                                        List.of(
                                                ModelChecks.op("awaitThenCancel"),
                                                ModelChecks.op("get")),
                                        List.of(
                                                ModelChecks.op("awaitThenTimeOut"),
                                                ModelChecks.op("set", 2))),
                                List.of(ModelChecks.op("awaitKeep"))))
                .check(getClass());
    }
}
