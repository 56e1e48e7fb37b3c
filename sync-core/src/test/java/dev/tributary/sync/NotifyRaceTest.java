package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Race loops over {@link Notify}: one-shot notifications ({@code notifyOne}/{@code notifyLast})
 * racing cancellation of the futures, {@link Notified#close()} of enabled handles, and timed-out or
 * interrupted blocking waits; {@code notifyWaiters} racing cancellation.
 *
 * <p>Invariant of the one-shot loops: with {@code W} waits that were not cancelled and {@code j}
 * notifications, exactly {@code min(j, W)} waits complete and the permit is stored iff {@code j >
 * W}. A notification lost in a claim/cancel race shows up as too few completions and no permit; one
 * delivered twice as a completion plus a permit, or more completions than notifications.
 */
@Timeout(120)
class NotifyRaceTest {
    private static final int ITERATIONS = 10_000;

    @Test
    void oneShotNotificationsRaceCancellation() throws Exception {
        try (Racers race = new Racers()) {
            for (int i = 0; i < ITERATIONS; i++) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                Notify notify = new Notify();
                int k = 1 + rnd.nextInt(6);
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int w = 0; w < k; w++) {
                    fs.add(notify.notified().future());
                }
                List<CompletableFuture<Void>> toCancel = new ArrayList<>();
                for (CompletableFuture<Void> f : fs) {
                    if (rnd.nextBoolean()) {
                        toCancel.add(rnd.nextInt(toCancel.size() + 1), f);
                    }
                }
                int j = 1 + rnd.nextInt(k + 2);
                boolean[] last = new boolean[j];
                for (int n = 0; n < j; n++) {
                    last[n] = rnd.nextInt(3) == 0;
                }
                race.run(
                        () -> {
                            for (CompletableFuture<Void> f : toCancel) {
                                f.cancel(false);
                            }
                        },
                        () -> {
                            for (boolean l : last) {
                                if (l) {
                                    notify.notifyLast();
                                } else {
                                    notify.notifyOne();
                                }
                            }
                        });
                int cancelled = 0;
                int delivered = 0;
                for (CompletableFuture<Void> f : fs) {
                    if (f.isCancelled()) {
                        cancelled++;
                    } else if (f.isDone()) {
                        delivered++;
                    }
                }
                int notCancelled = k - cancelled;
                String at = "iteration " + i + ": k=" + k + " j=" + j + " cancelled=" + cancelled;
                assertEquals(Math.min(j, notCancelled), delivered, at);
                assertEquals(j > notCancelled, NotifyTest.takePermit(notify), at + " (permit)");
            }
        }
    }

    @Test
    void closeOfAnEnabledHandleRacesNotifyOne() throws Exception {
        try (Racers race = new Racers()) {
            for (int i = 0; i < ITERATIONS; i++) {
                Notify notify = new Notify();
                boolean query = (i & 1) == 0;
                AtomicBoolean observed = new AtomicBoolean();
                race.run(
                        () -> {
                            Notified n = notify.notified();
                            boolean seen = n.enable();
                            if (query && !seen) {
                                seen = n.isNotified();
                            }
                            observed.set(seen);
                            n.close();
                        },
                        notify::notifyOne);
                // Observed: the handle consumed the notification. Otherwise it must be stored.
                assertEquals(
                        !observed.get(),
                        NotifyTest.takePermit(notify),
                        "iteration " + i + ", observed " + observed.get());
            }
        }
    }

    @Test
    void timedBlockingWaitRacesNotifyOne() throws Exception {
        try (Racers race = new Racers()) {
            for (int i = 0; i < 5_000; i++) {
                Notify notify = new Notify();
                long nanos = ThreadLocalRandom.current().nextLong(50_000);
                AtomicBoolean got = new AtomicBoolean();
                race.run(
                        () -> {
                            try {
                                got.set(notify.notified().blockingAwait(Duration.ofNanos(nanos)));
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        },
                        notify::notifyOne);
                assertEquals(!got.get(), NotifyTest.takePermit(notify), "iteration " + i);
            }
        }
    }

    @Test
    void interruptedBlockingWaitRacesNotifyOne() throws Exception {
        for (int i = 0; i < 500; i++) {
            Notify notify = new Notify();
            boolean enableFirst = (i & 1) == 0;
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            CyclicBarrier go = new CyclicBarrier(2);
            Thread waiter =
                    new Thread(
                            () -> {
                                try {
                                    Notified n = notify.notified();
                                    if (enableFirst) {
                                        n.enable(); // parks on its future instead
                                    }
                                    go.await();
                                    n.blockingAwait();
                                    result.complete(true);
                                } catch (InterruptedException e) {
                                    result.complete(false);
                                } catch (Throwable e) {
                                    result.completeExceptionally(e);
                                }
                            });
            waiter.start();
            go.await();
            if ((i & 2) == 0) {
                notify.notifyOne();
                waiter.interrupt();
            } else {
                waiter.interrupt();
                notify.notifyOne();
            }
            boolean notified = result.get(10, TimeUnit.SECONDS);
            waiter.join();
            assertEquals(!notified, NotifyTest.takePermit(notify), "iteration " + i);
        }
    }

    @Test
    void notifyWaitersRacesCancellation() throws Exception {
        try (Racers race = new Racers()) {
            for (int i = 0; i < ITERATIONS; i++) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                Notify notify = new Notify();
                int k = 1 + rnd.nextInt(6);
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                List<CompletableFuture<Void>> toCancel = new ArrayList<>();
                Notified unregistered = notify.notified();
                for (int w = 0; w < k; w++) {
                    CompletableFuture<Void> f = notify.notified().future();
                    fs.add(f);
                    if (rnd.nextBoolean()) {
                        toCancel.add(f);
                    }
                }
                race.run(
                        () -> {
                            for (CompletableFuture<Void> f : toCancel) {
                                f.cancel(false);
                            }
                        },
                        notify::notifyWaiters);
                for (CompletableFuture<Void> f : fs) {
                    assertTrue(f.isDone(), "iteration " + i + ": every wait is settled");
                }
                assertTrue(unregistered.isNotified(), "iteration " + i);
                assertFalse(NotifyTest.takePermit(notify), "iteration " + i + ": no permit");
            }
        }
    }

    /**
     * Runs one task per worker thread, all released together by a barrier, and waits for all of
     * them; reused across iterations so that a loop does not start threads.
     */
    static final class Racers implements AutoCloseable {
        private static final int WORKERS = 2;

        private final CyclicBarrier start = new CyclicBarrier(WORKERS + 1);
        private final CyclicBarrier end = new CyclicBarrier(WORKERS + 1);
        private final Thread[] workers = new Thread[WORKERS];
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile Runnable[] tasks;
        private volatile boolean closed;

        Racers() {
            for (int w = 0; w < WORKERS; w++) {
                int index = w;
                workers[w] = new Thread(() -> work(index), "race-" + w);
                workers[w].setDaemon(true);
                workers[w].start();
            }
        }

        private void work(int index) {
            try {
                for (; ; ) {
                    start.await();
                    if (closed) {
                        return;
                    }
                    try {
                        // A random head start of a few spins varies the interleavings.
                        for (int s = ThreadLocalRandom.current().nextInt(64); s > 0; s--) {
                            Thread.onSpinWait();
                        }
                        tasks[index].run();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    end.await();
                }
            } catch (InterruptedException | BrokenBarrierException e) {
                failure.compareAndSet(null, e);
            }
        }

        void run(Runnable a, Runnable b) throws Exception {
            tasks = new Runnable[] {a, b};
            start.await(10, TimeUnit.SECONDS);
            try {
                end.await(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("a racing task is stuck", e);
            }
            Throwable f = failure.get();
            if (f != null) {
                throw new AssertionError("a racing task failed", f);
            }
        }

        @Override
        public void close() {
            closed = true;
            try {
                start.await(10, TimeUnit.SECONDS);
                for (Thread w : workers) {
                    w.join(10_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (BrokenBarrierException | TimeoutException e) {
                throw new AssertionError("race workers did not stop", e);
            }
        }
    }
}
