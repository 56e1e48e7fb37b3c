package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
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

/**
 * Race loops for {@link Broadcast}: concurrent senders with receivers reading (lag counts exact,
 * per-sender order, no duplicates), recv cancellation against send (nothing consumed by a cancelled
 * recv), close against recv (drain, then end), and timed blocking receives against send. Each loop
 * runs thousands of iterations and checks its invariants after every one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BroadcastRaceTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool =
                Executors.newFixedThreadPool(
                        4,
                        r -> {
                            Thread t = new Thread(r, "broadcast-race");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** What one receiver saw: values (sender id * 1_000_000 + sequence) and the lag total. */
    private static final class Seen {
        final List<Integer> values = new ArrayList<>();
        long lagged;
        int lags;
    }

    private static int id(int v) {
        return v / 1_000_000;
    }

    private static int seq(int v) {
        return v % 1_000_000;
    }

    /**
     * Reads until the end of the stream with a random mix of tryRecv (spinning), recv and
     * blockingRecv, counting lags.
     */
    private static Seen readAll(Broadcast.Receiver<Integer> rx) throws Exception {
        Seen seen = new Seen();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int spins = 0; ; ) {
            try {
                Integer v;
                switch (random.nextInt(3)) {
                    case 0:
                        try {
                            v = rx.tryRecv();
                        } catch (ClosedException end) {
                            return seen;
                        }
                        if (v == null) {
                            if (++spins > 100) {
                                Thread.yield();
                            }
                            continue;
                        }
                        break;
                    case 1:
                        try {
                            v = rx.recv().get(30, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            throw (Exception) e.getCause();
                        }
                        if (v == null) {
                            return seen;
                        }
                        break;
                    default:
                        v = rx.blockingRecv();
                        if (v == null) {
                            return seen;
                        }
                }
                seen.values.add(v);
            } catch (LaggedException e) {
                assertTrue(e.missed() > 0);
                seen.lagged += e.missed();
                seen.lags++;
            }
        }
    }

    private static void checkOrder(Seen seen, int senders) {
        int[] last = new int[senders];
        java.util.Arrays.fill(last, -1);
        for (int v : seen.values) {
            int s = id(v);
            assertTrue(seq(v) > last[s], "per-sender order and no duplicates: " + seen.values);
            last[s] = seq(v);
        }
    }

    @Test
    void lagCountsAreExactUnderConcurrentSenders() throws Exception {
        int iterations = 2_000;
        int perSender = 24;
        long totalLags = 0;
        for (int it = 0; it < iterations; it++) {
            int capacity = it % 3 == 0 ? 1 : it % 3 == 1 ? 2 : 8;
            Broadcast.Channel<Integer> ch = Broadcast.channel(capacity);
            Broadcast.Sender<Integer> a = ch.sender();
            Broadcast.Sender<Integer> b = a.clone();
            Broadcast.Receiver<Integer> early = ch.receiver();
            CompletableFuture<Broadcast.Receiver<Integer>> late = new CompletableFuture<>();
            AtomicInteger seenByLate = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            Future<Seen> earlyReader =
                    pool.submit(
                            () -> {
                                start.await();
                                return readAll(early);
                            });
            Future<Seen> lateReader = pool.submit(() -> readAll(late.get(30, TimeUnit.SECONDS)));
            Future<?> senderB =
                    pool.submit(
                            () -> {
                                start.await();
                                for (int i = 0; i < perSender; i++) {
                                    if (b.send(1_000_000 + i) == 2) {
                                        seenByLate.incrementAndGet();
                                    }
                                }
                                b.close();
                                return null;
                            });
            start.countDown();
            for (int i = 0; i < perSender; i++) {
                if (i == perSender / 2) {
                    late.complete(a.subscribe()); // subscribes while B is sending
                }
                if (a.send(i) == 2) {
                    seenByLate.incrementAndGet();
                }
            }
            a.close();
            senderB.get(30, TimeUnit.SECONDS);
            Seen e = earlyReader.get(30, TimeUnit.SECONDS);
            Seen l = lateReader.get(30, TimeUnit.SECONDS);
            assertEquals(
                    2 * perSender, e.values.size() + e.lagged, "early receiver accounts for all");
            assertEquals(
                    seenByLate.get(),
                    l.values.size() + l.lagged,
                    "late receiver accounts for exactly the sends that counted it");
            checkOrder(e, 2);
            checkOrder(l, 2);
            totalLags += e.lags + l.lags;
        }
        assertTrue(totalLags > 0, "the loop must exercise lagging");
    }

    @Test
    void cancelledRecvConsumesNothing() throws Exception {
        int delivered = 0;
        for (int it = 0; it < 5_000; it++) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(2);
            Broadcast.Receiver<Integer> rx = ch.receiver();
            CompletableFuture<Integer> f = rx.recv();
            boolean overflow = it % 2 == 0; // three sends into two slots: the race may be a lag
            Race.race(
                    () -> {
                        ch.sender().send(0);
                        if (overflow) {
                            ch.sender().send(1);
                            ch.sender().send(2);
                        }
                    },
                    () -> f.cancel(false));
            List<Integer> got = new ArrayList<>();
            long lagged = 0;
            assertTrue(f.isDone());
            if (!f.isCancelled()) {
                try {
                    got.add(f.get());
                } catch (ExecutionException e) {
                    lagged += ((LaggedException) e.getCause()).missed();
                }
                delivered++;
            }
            for (; ; ) {
                try {
                    Integer v = rx.tryRecv();
                    if (v == null) {
                        break;
                    }
                    got.add(v);
                } catch (LaggedException e) {
                    lagged += e.missed();
                }
            }
            int sent = overflow ? 3 : 1;
            assertEquals(sent, got.size() + lagged, "it=" + it + " got=" + got);
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i) > got.get(i - 1), "order: " + got);
            }
            if (!overflow) {
                assertEquals(List.of(0), got);
            }
            assertEquals(0, ch.sender().waitingReceivers());
        }
        assertTrue(delivered > 0);
    }

    @Test
    void closeAgainstRecvDrainsThenEnds() throws Exception {
        for (int it = 0; it < 5_000; it++) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(4);
            Broadcast.Receiver<Integer> rx = ch.receiver();
            int k = it % 4;
            RuntimeException cause = it % 8 >= 4 ? new RuntimeException("cause " + it) : null;
            List<Integer> got = new ArrayList<>();
            Throwable[] end = new Throwable[1];
            Race.race(
                    () -> {
                        for (int i = 0; i < k; i++) {
                            ch.sender().send(i);
                        }
                        if (cause == null) {
                            ch.sender().close();
                        } else {
                            ch.sender().closeChannel(cause);
                        }
                    },
                    () -> {
                        try {
                            for (; ; ) {
                                Integer v = rx.recv().get(30, TimeUnit.SECONDS);
                                if (v == null) {
                                    return;
                                }
                                got.add(v);
                            }
                        } catch (ExecutionException e) {
                            end[0] = e.getCause();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    });
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                expected.add(i);
            }
            assertEquals(expected, got);
            if (cause == null) {
                assertNull(end[0]);
                assertNull(rx.recv().join());
            } else {
                assertTrue(end[0] instanceof ClosedException, String.valueOf(end[0]));
                assertSame(cause, end[0].getCause());
            }
        }
    }

    @Test
    void timedBlockingRecvAgainstSend() throws Exception {
        int timedOut = 0;
        for (int it = 0; it < 2_000; it++) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(2);
            Broadcast.Receiver<Integer> rx = ch.receiver();
            Integer[] got = new Integer[1];
            int value = it;
            Race.race(
                    () -> ch.sender().send(value),
                    () -> {
                        try {
                            got[0] = rx.blockingRecv(Duration.ofNanos(20_000));
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                    });
            if (got[0] == null) {
                timedOut++;
                assertEquals(it, rx.tryRecv(), "not consumed by the timed-out receive");
            } else {
                assertEquals(it, got[0]);
                assertNull(rx.tryRecv());
            }
            assertEquals(0, ch.sender().waitingReceivers());
        }
        assertTrue(timedOut >= 0);
    }

    @Test
    void interruptOfBlockingRecvAgainstSend() throws Exception {
        int interrupted = 0;
        for (int it = 0; it < 2_000; it++) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(2);
            Broadcast.Receiver<Integer> rx = ch.receiver();
            CompletableFuture<Thread> receiverThread = new CompletableFuture<>();
            Future<Object> outcome =
                    pool.submit(
                            () -> {
                                receiverThread.complete(Thread.currentThread());
                                try {
                                    return rx.blockingRecv();
                                } catch (InterruptedException e) {
                                    return e;
                                } finally {
                                    Thread.interrupted(); // leave the pool thread clean
                                }
                            });
            Thread t = receiverThread.get(30, TimeUnit.SECONDS);
            int value = it;
            Race.race(() -> ch.sender().send(value), t::interrupt);
            Object o = outcome.get(30, TimeUnit.SECONDS);
            if (o instanceof InterruptedException) {
                interrupted++;
                assertEquals(value, rx.tryRecv(), "not consumed by the interrupted receive");
            } else {
                assertEquals(value, o);
                assertNull(rx.tryRecv());
            }
            assertEquals(0, ch.sender().waitingReceivers());
        }
        assertTrue(interrupted > 0, "the loop must exercise the interrupt");
    }

    @Test
    void cancellationAndLagWithConcurrentSender() throws Exception {
        for (int it = 0; it < 1_000; it++) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(2);
            Broadcast.Receiver<Integer> rx = ch.receiver();
            int n = 40;
            Future<?> sender =
                    pool.submit(
                            () -> {
                                for (int i = 0; i < n; i++) {
                                    ch.sender().send(i);
                                }
                                ch.sender().close();
                            });
            List<Integer> got = new ArrayList<>();
            long lagged = 0;
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (; ; ) {
                CompletableFuture<Integer> f = rx.recv();
                if (random.nextInt(3) == 0) {
                    f.cancel(false);
                }
                try {
                    Integer v = f.get(30, TimeUnit.SECONDS);
                    if (v == null) {
                        break;
                    }
                    got.add(v);
                } catch (CancellationException cancelled) {
                    // nothing consumed: the next recv reads the same position
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof LaggedException)) {
                        fail(e);
                    }
                    lagged += ((LaggedException) e.getCause()).missed();
                }
            }
            sender.get(30, TimeUnit.SECONDS);
            assertEquals(n, got.size() + lagged, "got=" + got);
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i) > got.get(i - 1), "order: " + got);
            }
        }
    }
}
