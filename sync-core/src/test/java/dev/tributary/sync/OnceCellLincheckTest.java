package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link OnceCell} with Lincheck: its lock-free parts (the slot replaced by
 * {@code take()} with a CAS, the volatile value) racing initializers that run under the one-permit
 * waiter core.
 *
 * <p>Results must match some sequential order of the operations: {@code getOrInit} returns the
 * value the cell holds after it (its own or an earlier one), {@code take} returns each stored value
 * at most once. {@code set} is a void operation because {@code InitializingException} exists only
 * while an initializer is in flight, which no sequential execution shows; its effect is visible in
 * the other operations' results.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class OnceCellLincheckTest {
    private final OnceCell<Integer> cell = new OnceCell<>();

    /** Initializes with {@code v} if empty; returns the value the cell holds afterwards. */
    @Operation
    public Integer getOrInit(@Param(name = "v") int v) {
        CompletableFuture<Integer> f = cell.getOrInit(() -> CompletableFuture.completedFuture(v));
        return f.join();
    }

    /** Empties the cell; returns the value it held, or null. */
    @Operation
    public Integer take() {
        return cell.take();
    }

    /** Reads the cell. */
    @Operation
    public Integer get() {
        return cell.get();
    }

    @Test
    void modelCheck() {
        ModelChecks.options(20, 400).actorsBefore(1).actorsAfter(1).check(getClass());
    }
}
