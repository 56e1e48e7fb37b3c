package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.Watch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Races on the Watch and Oneshot publisher views, in loops: a sender storing increasing values and
 * closing while subscribers of both watch views request and cancel at random points; a oneshot send
 * racing the cancel (and the request) of its subscription; a oneshot close racing the cancel.
 *
 * <p>Invariants checked after every iteration, once the racing threads have returned (every signal
 * and every clean-up runs on those threads, so nothing is still in flight):
 *
 * <ul>
 *   <li>every subscriber that did not cancel saw strictly increasing values, the final value last,
 *       then {@code onComplete}, with signals never overlapping;
 *   <li>a subscriber that cancelled from inside {@code onNext} got nothing after; one that
 *       cancelled from another thread got at most the one signal the drain loop was already
 *       emitting when {@code cancel()} returned (rule 1.8: cancellation is eventually honoured);
 *   <li>{@code receiverCount()} is back to the channel's own receiver: every subscription closed
 *       its receiver, whether it completed or was cancelled;
 *   <li>oneshot: the value is delivered at most once, and if the subscriber did not get it, either
 *       the send failed (the cancel closed the receiver first; the sender still holds the value) or
 *       {@code tryRecv()} on the receiver returns it;
 *   <li>oneshot, a close (with or without a cause) racing the cancel: at most the one matching
 *       terminal signal ({@code onComplete}, or {@code onError} with the cause itself), or none.
 * </ul>
 */
@Timeout(60)
class WatchViewRaceTest {

    private static final int WATCH_ITERATIONS = 5_000;
    private static final int ONESHOT_ITERATIONS = 10_000;
    private static final int VALUES = 30;

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(3);
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** How a subscriber asks for values. */
    enum Demand {
        UNBOUNDED, // request(Long.MAX_VALUE) in onSubscribe
        ONE_BY_ONE, // request(1) in onSubscribe and in every onNext
        FROM_OTHER_THREAD // request(1..3) from the requester thread until done
    }

    /** How (and whether) a subscriber cancels. */
    enum Cancel {
        NEVER,
        IN_ON_NEXT, // from inside onNext, after a random number of values
        FROM_OTHER_THREAD // from the requester thread, at a random point
    }

    static final class Sub implements Subscriber<Integer> {
        final Demand demand;
        final Cancel cancel;
        final int cancelAfter;
        final List<Integer> values = new ArrayList<>(); // guarded by the rule-1.3 serialization
        final List<String> violations = new ArrayList<>();
        final AtomicInteger inSignal = new AtomicInteger();
        volatile Subscription subscription;
        volatile boolean done;
        volatile boolean completed;
        volatile boolean cancelReturned;
        volatile int signalsAfterCancel;

        Sub(Demand demand, Cancel cancel, int cancelAfter) {
            this.demand = demand;
            this.cancel = cancel;
            this.cancelAfter = cancelAfter;
        }

        private void enter(String what) {
            if (inSignal.getAndIncrement() != 0) {
                violations.add("overlapping " + what);
            }
            if (done) {
                violations.add(what + " after a terminal signal");
            }
            if (cancelReturned) {
                signalsAfterCancel++;
            }
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (demand == Demand.UNBOUNDED) {
                s.request(Long.MAX_VALUE);
            } else if (demand == Demand.ONE_BY_ONE) {
                s.request(1);
            }
        }

        @Override
        public void onNext(Integer v) {
            enter("onNext(" + v + ")");
            values.add(v);
            inSignal.decrementAndGet();
            if (cancel == Cancel.IN_ON_NEXT && values.size() == cancelAfter) {
                doCancel();
                return;
            }
            if (demand == Demand.ONE_BY_ONE) {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            enter("onError(" + t + ")");
            violations.add("unexpected onError " + t);
            done = true;
            inSignal.decrementAndGet();
        }

        @Override
        public void onComplete() {
            enter("onComplete");
            completed = true;
            done = true;
            inSignal.decrementAndGet();
        }

        void doCancel() {
            subscription.cancel();
            cancelReturned = true;
        }

        boolean finished() {
            return done || cancelReturned;
        }
    }

    @Test
    void watchSubscribersSeeIncreasingValuesEndingWithTheFinalOneThenComplete() throws Exception {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int[] outcomes = new int[3]; // completed, cancelled in onNext, cancelled from outside
        int skipped = 0; // completed subscribers that missed at least one value (conflation)
        for (int it = 0; it < WATCH_ITERATIONS; it++) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            List<Sub> subs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Demand d = Demand.values()[rnd.nextInt(Demand.values().length)];
                Cancel c = Cancel.values()[rnd.nextInt(Cancel.values().length)];
                Sub s = new Sub(d, c, 1 + rnd.nextInt(VALUES / 2));
                Publisher<Integer> p =
                        i % 2 == 0 ? ch.sender().asPublisher() : ch.receiver().asPublisher();
                p.subscribe(s);
                subs.add(s);
            }
            int spinsBeforeCancel = rnd.nextInt(8);
            Future<?> requester =
                    pool.submit(
                            () -> {
                                int spins = 0;
                                for (; ; ) {
                                    boolean all = true;
                                    for (Sub s : subs) {
                                        if (s.finished()) {
                                            continue;
                                        }
                                        all = false;
                                        if (s.cancel == Cancel.FROM_OTHER_THREAD
                                                && spins >= spinsBeforeCancel) {
                                            s.doCancel();
                                        } else if (s.demand == Demand.FROM_OTHER_THREAD) {
                                            s.subscription.request(
                                                    1 + ThreadLocalRandom.current().nextInt(3));
                                        }
                                    }
                                    if (all) {
                                        return;
                                    }
                                    spins++;
                                    Thread.yield();
                                }
                            });
            Future<?> sender =
                    pool.submit(
                            () -> {
                                for (int v = 1; v <= VALUES; v++) {
                                    ch.sender().send(v);
                                }
                                ch.sender().close();
                            });
            sender.get(10, TimeUnit.SECONDS);
            requester.get(10, TimeUnit.SECONDS);
            for (Sub s : subs) {
                check(it, s);
                outcomes[!s.cancelReturned ? 0 : s.cancel == Cancel.IN_ON_NEXT ? 1 : 2]++;
                if (!s.cancelReturned && s.values.size() < VALUES + 1) {
                    skipped++;
                }
            }
            assertEquals(
                    1,
                    ch.sender().receiverCount(),
                    "iteration " + it + ": every view closed its receiver");
        }
        // Every kind of ending must have happened, and conflation must have been exercised.
        String stats =
                "completed "
                        + outcomes[0]
                        + ", cancelled in onNext "
                        + outcomes[1]
                        + ", from outside "
                        + outcomes[2]
                        + ", conflated "
                        + skipped;
        System.out.println("WatchViewRaceTest: " + stats);
        assertTrue(outcomes[0] > 0 && outcomes[1] > 0 && outcomes[2] > 0 && skipped > 0, stats);
    }

    private static void check(int it, Sub s) {
        String where = "iteration " + it + ", " + s.demand + "/" + s.cancel + ": ";
        if (!s.violations.isEmpty()) {
            fail(where + s.violations + " values " + s.values);
        }
        List<Integer> v = s.values;
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i) <= v.get(i - 1)) {
                fail(where + "not strictly increasing: " + v);
            }
        }
        if (s.cancelReturned) {
            int allowed = s.cancel == Cancel.IN_ON_NEXT ? 0 : 1;
            if (s.signalsAfterCancel > allowed) {
                fail(where + s.signalsAfterCancel + " signals after cancel returned: " + v);
            }
            return;
        }
        if (!s.completed) {
            fail(where + "not completed: " + v);
        }
        if (v.isEmpty() || v.get(v.size() - 1) != VALUES) {
            fail(where + "did not end with the final value " + VALUES + ": " + v);
        }
    }

    /** A subscriber of a oneshot publisher for the cancel race. */
    static final class OneSub implements Subscriber<Integer> {
        final List<Integer> values = new ArrayList<>();
        volatile Subscription subscription;
        volatile Throwable error;
        volatile boolean completed;

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(Integer v) {
            values.add(v);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    @Test
    void oneshotCancelRacingSendLosesNothing() throws Exception {
        int delivered = 0;
        int kept = 0;
        int refused = 0;
        for (int it = 0; it < ONESHOT_ITERATIONS; it++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            OneSub s = new OneSub();
            ch.receiver().asPublisher().subscribe(s);
            boolean requestFirst = (it & 1) == 0;
            if (requestFirst) {
                s.subscription.request(1); // waiting with the wake-up when the race starts
            }
            Integer value = it;
            Future<Boolean> send =
                    pool.submit(
                            () -> {
                                try {
                                    ch.sender().send(value);
                                    return true;
                                } catch (ClosedException e) {
                                    return false; // the cancel closed the receiver first
                                }
                            });
            Future<?> cancel = pool.submit(() -> s.subscription.cancel());
            Future<?> request = requestFirst ? null : pool.submit(() -> s.subscription.request(1));
            boolean sent = send.get(10, TimeUnit.SECONDS);
            cancel.get(10, TimeUnit.SECONDS);
            if (request != null) {
                request.get(10, TimeUnit.SECONDS);
            }
            String where = "iteration " + it + ": ";
            assertTrue(s.error == null, where + "unexpected error " + s.error);
            assertTrue(s.values.size() <= 1, where + "delivered more than once: " + s.values);
            assertTrue(ch.sender().isClosed(), where + "cancel or completion closed the receiver");
            if (s.values.size() == 1) {
                assertEquals(value, s.values.get(0));
                assertTrue(sent);
                delivered++;
            } else if (sent) {
                assertEquals(
                        value, ch.receiver().tryRecv(), where + "the value must stay readable");
                kept++;
            } else {
                assertTrue(ch.receiver().isTerminated(), where);
                refused++;
            }
        }
        // Each outcome must have happened at least once, or the race was not exercised.
        assertTrue(delivered > 0 && kept > 0, "delivered " + delivered + ", kept " + kept);
        System.out.println(
                "oneshot race: delivered " + delivered + ", kept " + kept + ", refused " + refused);
        assertTrue(delivered + kept + refused == ONESHOT_ITERATIONS);
    }

    @Test
    void oneshotCancelRacingCloseSignalsAtMostTheClose() throws Exception {
        RuntimeException cause = new RuntimeException("closed with a cause");
        int signalled = 0;
        for (int it = 0; it < ONESHOT_ITERATIONS; it++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            OneSub s = new OneSub();
            ch.receiver().asPublisher().subscribe(s);
            boolean withCause = (it & 1) == 0;
            if ((it & 2) == 0) {
                s.subscription.request(1); // terminal signals need no demand either way
            }
            Future<?> close =
                    pool.submit(
                            () -> {
                                if (withCause) {
                                    ch.sender().closeChannel(cause);
                                } else {
                                    ch.sender().close();
                                }
                            });
            Future<?> cancel = pool.submit(() -> s.subscription.cancel());
            close.get(10, TimeUnit.SECONDS);
            cancel.get(10, TimeUnit.SECONDS);
            String where = "iteration " + it + ": ";
            assertTrue(s.values.isEmpty(), where + "no value was sent: " + s.values);
            assertTrue(!(s.completed && s.error != null), where + "two terminal signals");
            if (withCause) {
                assertTrue(!s.completed, where + "completed instead of failing");
                assertTrue(s.error == null || s.error == cause, where + "wrong error " + s.error);
            } else {
                assertTrue(s.error == null, where + "unexpected error " + s.error);
            }
            if (s.completed || s.error != null) {
                signalled++;
            }
            assertTrue(ch.receiver().isTerminated(), where + "closed one way or the other");
        }
        // Both outcomes (terminal signal delivered, or cancel first) must have happened.
        assertTrue(signalled > 0 && signalled < ONESHOT_ITERATIONS, "signalled " + signalled);
    }
}
