package dev.tributary.sync;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Model checking of the publisher view of {@link Watch} ({@link WatchPublisher}) with Lincheck: its
 * drain loop reading {@code Receiver.snapshot()} and waiting with {@code Receiver.awaitNot(v)} (a
 * {@code changed()}-style wait registered under the channel's Dekker protocol, cancelled by the
 * receiver's close), racing sends, requests, the cancel and the close.
 *
 * <p>Each scenario starts from a channel holding 0 whose original receiver is closed, and one
 * subscription of {@code sender.asPublisher()} with a {@link Recorder} (plain fields: the drain
 * loop serializes its signals). Operations are void: {@code send()} (distinct values, stamped with
 * a clock so that real-time order is known), {@code request(n)}, {@code cancel()}, {@code
 * closeChannel()} (with a cause) and {@code closeSenders()} (every sender handle, no cause). {@link
 * #invariants()} then checks:
 *
 * <ul>
 *   <li>no signal before {@code onSubscribe} or after a terminal signal; at most the demand;
 *   <li>delivered values strictly increase in version: each at most once, only the initial value or
 *       a sent one, and never one before a value whose send ended before its own send began;
 *   <li>a live subscription (neither cancelled nor terminated) with demand outstanding has
 *       delivered the current value (no lost wake-up); once the channel is closed and the current
 *       value delivered, a live subscription is a failure: onComplete (no cause) or onError(cause)
 *       must have come, even without demand; a live subscription that delivered the current value
 *       on an open channel has exactly one wait linked, otherwise none;
 *   <li>a terminal signal comes only after the close, of the matching kind, and after the final
 *       value;
 *   <li>after a cancel or a terminal signal the view's receiver is closed ({@code receiverCount()
 *       == 0}) and nothing is linked ({@code Watch.queuedWaiters == 0}).
 * </ul>
 *
 * <p>Custom scenarios aim at the narrow windows: a send racing the re-arming of the wait by the
 * drain loop that delivered the previous value on another sender's thread; a cancel racing a send's
 * wake-up; the close racing the re-arming; the close racing the first request.
 *
 * <p>Checked to fail (each bug injected into the main code, caught, then reverted):
 *
 * <ul>
 *   <li>{@code awaitNot} linking its waiter without re-reading {@code current} after linking (the
 *       version check then happens only before the registration): caught by the close-racing-the-
 *       re-arming scenario ("closed, final value delivered, but no terminal signal": the close
 *       found no waiter and the wait linked just after never completed).
 *   <li>the drain loop treating a completed wait as still pending (so it never re-arms after the
 *       first wake-up): caught by the first scenario ("waits linked: 0": caught up with nothing
 *       armed, so the next store would be lost).
 *   <li>{@code Receiver.close()} not cancelling its pending wait: caught by the cancel scenario ("a
 *       wait is still linked").
 * </ul>
 *
 * <p>Budget: about 30 s for the class on two busy cores. Run deeper with {@code
 * -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Timeout(300)
public class WatchPublisherLincheckTest {
    private static final RuntimeException CAUSE = new RuntimeException("closed by the test");
    private static final int MAX_VALUES = 64;

    private final Watch.Sender<Integer> tx;
    private final Watch.Sender<Integer> closer;
    private final Recorder rec = new Recorder();

    /** Value and start stamp of a send, then its end stamp: real-time order of the sends. */
    private final AtomicInteger clock = new AtomicInteger();

    private final int[] endStamp = new int[MAX_VALUES];
    private final boolean[] sentOk = new boolean[MAX_VALUES];
    private final AtomicLong requested = new AtomicLong();
    private volatile boolean cancelRequested;
    private volatile boolean closedWithCause;

    /** Creates the channel and subscribes the view. */
    public WatchPublisherLincheckTest() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        tx = ch.sender();
        closer = tx.clone();
        ch.receiver().close(); // the view's receiver is then the only one
        tx.asPublisher().subscribe(rec);
    }

    /** Sends the next value (failures: closed, or no receiver after the cancel). */
    @Operation
    public void send() {
        int v = clock.incrementAndGet();
        try {
            tx.send(v);
            sentOk[v] = true;
        } catch (IllegalStateException e) {
            // ClosedException (closed, or no receiver after the cancel), or the handle closed
        }
        endStamp[v] = clock.incrementAndGet();
    }

    /**
     * The subscriber requests more.
     *
     * @param n how many
     */
    @Operation
    public void request(@Param(gen = IntGen.class, conf = "1:2") int n) {
        requested.addAndGet(n);
        rec.subscription.request(n);
    }

    /** The subscriber cancels. */
    @Operation
    public void cancel() {
        cancelRequested = true;
        rec.subscription.cancel();
    }

    /** Closes the channel with {@link #CAUSE} through a second handle. */
    @Operation
    public void closeChannel() {
        try {
            if (closer.closeChannel(CAUSE)) {
                closedWithCause = true;
            }
        } catch (IllegalStateException handleClosed) {
            // closeSenders closed it first
        }
    }

    /** Closes every sender handle: the channel closes without a cause (unless closed already). */
    @Operation
    public void closeSenders() {
        closer.close();
        tx.close();
    }

    /** After each scenario: see the class documentation. */
    @Validate
    public void invariants() {
        check(rec.violation == null, rec.violation);
        List<Integer> got = rec.values;
        int delivered = got.size();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < delivered; i++) {
            int v = got.get(i);
            check(v == 0 ? i == 0 : sentOk[v], "delivered " + v + ", which was not current");
            check(seen.add(v), "delivered " + v + " twice");
            for (int j = i + 1; j < delivered; j++) {
                check(endStamp[got.get(j)] > v, "delivered " + v + " before " + got.get(j));
            }
        }
        check(delivered <= requested.get(), "delivered beyond the demand");
        int current = tx.borrow().get();
        boolean caughtUp = delivered > 0 && got.get(delivered - 1) == current;
        boolean closed = closedWithCause || tx.senderCount() == 0;
        boolean terminated = rec.terminals > 0;
        if (cancelRequested || terminated) {
            check(tx.receiverCount() == 0, "the view's receiver is still open");
            check(Watch.queuedWaiters(tx) == 0, "a wait is still linked");
        }
        if (terminated) {
            Throwable e = rec.error;
            check(closed, "terminated on an open channel: " + e);
            check(e == null ? !closedWithCause : e == CAUSE && closedWithCause, "wrong end: " + e);
            check(caughtUp, "terminated before the final value");
            return;
        }
        if (cancelRequested) {
            return;
        }
        check(caughtUp || delivered == requested.get(), "lost wake-up: demand, not at " + current);
        check(!closed || !caughtUp, "closed, final value delivered, but no terminal signal");
        int armed = caughtUp && !closed ? 1 : 0;
        check(Watch.queuedWaiters(tx) == armed, "waits linked: " + Watch.queuedWaiters(tx));
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(
                    what
                            + " ("
                            + rec
                            + ", requested "
                            + requested
                            + ", current "
                            + tx.borrow().get()
                            + ", "
                            + tx
                            + ")");
        }
    }

    @Test
    void modelCheck() {
        ModelChecks.options(2, 60)
                .actorsBefore(1)
                .actorsAfter(1)
                // A send racing the re-arming of the wait: the first send wakes the view, whose
                // drain loop (on that sender's thread) delivers and waits again while the second
                // send stores.
                .addCustomScenario(
                        scenario(
                                List.of(actor("request", 2)),
                                List.of(
                                        List.of(actor("send")),
                                        List.of(actor("send")),
                                        List.of(actor("request", 1))),
                                List.of()))
                // A cancel racing a send's wake-up (and the re-arming after it).
                .addCustomScenario(
                        scenario(
                                List.of(actor("request", 2)),
                                List.of(
                                        List.of(actor("send"), actor("send")),
                                        List.of(actor("cancel"))),
                                List.of()))
                // The close racing the re-arming after a delivery.
                .addCustomScenario(
                        scenario(
                                List.of(actor("request", 2)),
                                List.of(List.of(actor("send")), List.of(actor("closeChannel"))),
                                List.of()))
                // The close racing the first request (initial value, then the end).
                .addCustomScenario(
                        scenario(
                                List.of(),
                                List.of(
                                        List.of(actor("request", 1)),
                                        List.of(actor("closeSenders"))),
                                List.of()))
                .check(getClass());
    }

    private static ExecutionScenario scenario(
            List<Actor> init, List<List<Actor>> parallel, List<Actor> post) {
        return new ExecutionScenario(
                new ArrayList<>(init),
                new ArrayList<>(parallel),
                new ArrayList<>(post),
                actor("invariants"));
    }

    private static Actor actor(String name, Object... args) {
        return ModelChecks.actor(WatchPublisherLincheckTest.class, name, args);
    }

    /** Records the signals; flags protocol violations. Confined to the drain owner. */
    static final class Recorder implements Subscriber<Integer> {
        Subscription subscription;
        final List<Integer> values = new ArrayList<>();
        int terminals;
        Throwable error;
        String violation;

        @Override
        public void onSubscribe(Subscription s) {
            if (subscription != null) {
                violation = "onSubscribe twice";
            }
            subscription = s;
        }

        @Override
        public void onNext(Integer v) {
            if (subscription == null || terminals > 0) {
                violation = "onNext(" + v + ") before onSubscribe or after a terminal signal";
            }
            values.add(v);
        }

        @Override
        public void onError(Throwable t) {
            terminal("onError(" + t + ")");
            error = t;
        }

        @Override
        public void onComplete() {
            terminal("onComplete");
        }

        private void terminal(String what) {
            if (subscription == null || terminals > 0) {
                violation = what + " before onSubscribe or after a terminal signal";
            }
            terminals++;
        }

        @Override
        public String toString() {
            return "delivered " + values + ", terminals " + terminals + ", error " + error;
        }
    }
}
