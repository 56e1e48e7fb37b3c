package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Race loops over {@link Watch}: several senders and receivers per channel, thousands of times.
 * Receivers loop on {@code changed()} (async, blocking, or {@code waitFor}) plus {@code
 * borrowAndUpdate()} and check that versions strictly increase, that one version always carries one
 * value (snapshot consistency), and that every receiver sees the final value before the channel
 * ends. Then the cancel races: {@code changed()} or {@code waitFor} cancelled against a send (a
 * cancelled wait consumed nothing), and the last sender's close against {@code changed()} (never a
 * lost wake-up).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatchRaceTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private static final int SENDERS = 2;
    private static final int SENDS = 25;

    /**
     * Three receivers consume until the channel ends: async changed(), blockingChanged(), and
     * waitFor(any newer value). Returns the last value each saw.
     */
    private static List<Callable<Integer>> receivers(
            Watch.Sender<Integer> tx, Map<Long, Integer> valueOfVersion) {
        List<Callable<Integer>> list = new ArrayList<>();
        for (int kind = 0; kind < 3; kind++) {
            Watch.Receiver<Integer> rx = tx.subscribe();
            int k = kind;
            list.add(
                    () -> {
                        long lastVersion = rx.borrowAndUpdate().version();
                        int last = rx.borrow().get();
                        for (; ; ) {
                            Watch.Ref<Integer> r;
                            try {
                                if (k == 0) {
                                    rx.changed().join();
                                    r = rx.borrowAndUpdate();
                                } else if (k == 1) {
                                    rx.blockingChanged();
                                    r = rx.borrowAndUpdate();
                                } else {
                                    int seen = last;
                                    r = rx.waitFor(v -> v != seen).join();
                                }
                            } catch (ClosedException | CompletionException closed) {
                                assertEquals(
                                        ClosedException.class,
                                        closed instanceof CompletionException
                                                ? closed.getCause().getClass()
                                                : closed.getClass());
                                rx.close();
                                return last;
                            }
                            if (r.version() <= lastVersion) {
                                fail("version went from " + lastVersion + " to " + r.version());
                            }
                            if (k == 2) {
                                // changed() already marked what it reported; waitFor reports
                                // whether its match was news to this receiver.
                                assertTrue(r.hasChanged());
                            }
                            Integer before = valueOfVersion.putIfAbsent(r.version(), r.get());
                            if (before != null && !before.equals(r.get())) {
                                fail(
                                        "version "
                                                + r.version()
                                                + " had "
                                                + before
                                                + " and "
                                                + r.get());
                            }
                            lastVersion = r.version();
                            last = r.get();
                        }
                    });
        }
        return list;
    }

    private static List<Future<Integer>> start(List<Callable<Integer>> tasks) {
        List<Future<Integer>> fs = new ArrayList<>();
        for (Callable<Integer> t : tasks) {
            fs.add(pool.submit(t));
        }
        return fs;
    }

    @Test
    void modifySendersAndReceiversNeverMissTheFinalValue() throws Exception {
        for (int iteration = 0; iteration < 3_000; iteration++) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Watch.Sender<Integer> first = ch.sender();
            ch.receiver().close();
            Map<Long, Integer> valueOfVersion = new ConcurrentHashMap<>();
            List<Future<Integer>> rxs = start(receivers(first, valueOfVersion));
            List<Callable<Integer>> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                Watch.Sender<Integer> tx = s == 0 ? first : first.clone();
                senders.add(
                        () -> {
                            for (int i = 0; i < SENDS; i++) {
                                tx.sendModify(v -> v + 1);
                            }
                            tx.close();
                            return 0;
                        });
            }
            for (Future<Integer> f : start(senders)) {
                f.get(30, TimeUnit.SECONDS);
            }
            for (Future<Integer> f : rxs) {
                assertEquals(
                        SENDERS * SENDS, f.get(30, TimeUnit.SECONDS), "iteration " + iteration);
            }
            // sendModify only: the value counts the stores, so it is the version / 2
            valueOfVersion.forEach((v, x) -> assertEquals(v / 2, (long) x));
        }
    }

    @Test
    void lockFreeSendsRacingModifiesKeepSnapshotsConsistent() throws Exception {
        for (int iteration = 0; iteration < 3_000; iteration++) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Watch.Sender<Integer> first = ch.sender();
            ch.receiver().close();
            Map<Long, Integer> valueOfVersion = new ConcurrentHashMap<>();
            List<Future<Integer>> rxs = start(receivers(first, valueOfVersion));
            Watch.Sender<Integer> second = first.clone();
            Watch.Sender<Integer> last = first.clone();
            List<Callable<Integer>> senders = new ArrayList<>();
            senders.add(
                    () -> {
                        for (int i = 1; i <= SENDS; i++) {
                            first.send(i); // lock-free
                        }
                        first.close();
                        return 0;
                    });
            senders.add(
                    () -> {
                        for (int i = 1; i <= SENDS; i++) {
                            int n = i;
                            if ((i & 1) == 0) {
                                second.sendModify(v -> 1_000 + n);
                            } else {
                                second.sendReplace(1_000 + n);
                            }
                        }
                        second.close();
                        return 0;
                    });
            for (Future<Integer> f : start(senders)) {
                f.get(30, TimeUnit.SECONDS);
            }
            last.send(-1); // the final value, after both
            last.close();
            for (Future<Integer> f : rxs) {
                assertEquals(-1, f.get(30, TimeUnit.SECONDS), "iteration " + iteration);
            }
        }
    }

    @Test
    void changedCancelledAgainstASendConsumedNothing() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx = ch.sender();
        Watch.Receiver<Integer> rx = ch.receiver();
        int cancelled = 0;
        for (int i = 1; i <= 5_000; i++) {
            CompletableFuture<Void> f = rx.changed();
            int v = i;
            Race.race(() -> f.cancel(false), () -> tx.send(v));
            if (f.isCancelled()) {
                cancelled++;
            } else {
                f.join(); // completed normally by the send
            }
            assertEquals(0, Watch.queuedWaiters(tx));
            // A cancel that won marked nothing; a changed() that completed marked v.
            assertEquals(f.isCancelled(), rx.hasChanged());
            assertEquals(v, rx.borrowAndUpdate().get());
        }
        assertTrue(cancelled > 0, "no cancel won");
    }

    @Test
    void waitForCancelledAgainstAMatchingSendMarksOnlyIfItWon() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx = ch.sender();
        Watch.Receiver<Integer> rx = ch.receiver();
        int cancelled = 0;
        int matched = 0;
        for (int i = 1; i <= 5_000; i++) {
            int v = i;
            CompletableFuture<Watch.Ref<Integer>> f = rx.waitFor(x -> x == v);
            boolean external = ThreadLocalRandom.current().nextBoolean();
            Race.race(
                    () -> {
                        if (external) {
                            f.completeExceptionally(new java.util.concurrent.TimeoutException());
                        } else {
                            f.cancel(false);
                        }
                    },
                    () -> tx.send(v));
            if (f.isCompletedExceptionally()) {
                cancelled++;
                assertTrue(rx.hasChanged(), "a withdrawn waitFor marked its value");
            } else {
                matched++;
                assertEquals(v, f.join().get());
                assertFalse(rx.hasChanged(), "a matched waitFor did not mark its value");
            }
            assertEquals(0, Watch.queuedWaiters(tx));
            rx.borrowAndUpdate();
        }
        assertTrue(cancelled > 0 && matched > 0, cancelled + " cancelled, " + matched + " matched");
    }

    @Test
    void lastSenderCloseRacingChangedNeverLosesTheWakeUp() throws Exception {
        for (int i = 0; i < 5_000; i++) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Watch.Sender<Integer> tx = ch.sender();
            Watch.Receiver<Integer> rx = ch.receiver();
            boolean sendFirst = (i & 1) == 0;
            AtomicReference<CompletableFuture<Void>> f = new AtomicReference<>();
            Race.race(
                    () -> {
                        if (sendFirst) {
                            tx.send(1);
                        }
                        tx.close();
                    },
                    () -> f.set(rx.changed()));
            CompletableFuture<Void> changed = f.get();
            if (sendFirst) {
                Race.await(changed); // the final value is news
                assertEquals(1, rx.borrowAndUpdate().get());
                assertTrue(rx.changed().isCompletedExceptionally());
            } else {
                try {
                    changed.get(10, TimeUnit.SECONDS);
                    fail("changed() completed normally on a closed channel with nothing new");
                } catch (java.util.concurrent.ExecutionException e) {
                    assertInstanceOf(ClosedException.class, e.getCause());
                }
            }
            assertEquals(0, Watch.queuedWaiters(tx));
        }
    }

    @Test
    void lastSenderCloseRacingBlockingChangedNeverLosesTheWakeUp() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            Watch.Sender<Integer> tx = ch.sender();
            Watch.Receiver<Integer> rx = ch.receiver();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Race.race(
                    tx::close,
                    () -> {
                        try {
                            rx.blockingChanged();
                        } catch (Throwable t) {
                            outcome.set(t);
                        }
                    });
            assertInstanceOf(ClosedException.class, outcome.get());
        }
    }

    @Test
    void lastReceiverCloseRacingSenderClosed() throws Exception {
        for (int i = 0; i < 5_000; i++) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            AtomicReference<CompletableFuture<Void>> f = new AtomicReference<>();
            Race.race(ch.receiver()::close, () -> f.set(ch.sender().closed()));
            Race.await(f.get());
            assertEquals(0, Watch.queuedWaiters(ch.sender()));
        }
    }
}
