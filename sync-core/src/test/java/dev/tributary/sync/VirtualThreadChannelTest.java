package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channels' blocking forms on thousands of virtual threads: they park with {@code LockSupport},
 * so waiting virtual threads unmount instead of pinning the few carriers (a pinning implementation
 * deadlocks here). Tagged {@code jdk21} like {@link VirtualThreadMutexTest}: it runs in the JDK 21+
 * fork when one is installed and reports itself skipped on JDK 17.
 */
@Tag("jdk21")
@Timeout(120)
class VirtualThreadChannelTest {

    @Test
    void thousandsOfVirtualProducersBlockOnABoundedChannel() throws Exception {
        int producers = 2_000;
        int each = 50;
        Mpsc.Channel<long[]> ch = Mpsc.channel(16);
        ExecutorService vts = VirtualThreads.executor();
        List<Future<?>> sent = new ArrayList<>(producers);
        long[] lastSeen = new long[producers];
        Arrays.fill(lastSeen, -1);
        try {
            Future<Integer> consumer =
                    vts.submit(
                            () -> {
                                int received = 0;
                                for (long[] m; (m = ch.receiver().blockingRecv()) != null; ) {
                                    int p = (int) m[0];
                                    if (m[1] != lastSeen[p] + 1) {
                                        throw new AssertionError(
                                                "producer "
                                                        + p
                                                        + " sent "
                                                        + m[1]
                                                        + " after "
                                                        + lastSeen[p]);
                                    }
                                    lastSeen[p] = m[1];
                                    received++;
                                }
                                return received;
                            });
            for (int p = 0; p < producers; p++) {
                Mpsc.Sender<long[]> tx = ch.sender().clone();
                long id = p;
                sent.add(
                        vts.submit(
                                () -> {
                                    try (tx) {
                                        for (long i = 0; i < each; i++) {
                                            tx.blockingSend(new long[] {id, i});
                                        }
                                    }
                                    return null;
                                }));
            }
            ch.sender().close();
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(producers * each, consumer.get(60, TimeUnit.SECONDS));
        } finally {
            vts.shutdownNow();
        }
        assertEquals(16, ch.receiver().capacity(), "every slot came back");
    }

    @Test
    void virtualClientsDoBlockingRequestReply() throws Exception {
        record Ask(int n, Oneshot.Sender<Integer> reply) {}
        int clients = 5_000;
        Mpsc.Channel<Ask> ch = Mpsc.channel(10);
        ExecutorService vts = VirtualThreads.executor();
        try {
            Future<?> server =
                    vts.submit(
                            () -> {
                                for (Ask a; (a = ch.receiver().blockingRecv()) != null; ) {
                                    a.reply().send(a.n() * 2);
                                }
                                return null;
                            });
            List<Future<Integer>> answers = new ArrayList<>(clients);
            for (int i = 0; i < clients; i++) {
                Mpsc.Sender<Ask> tx = ch.sender().clone();
                int n = i;
                answers.add(
                        vts.submit(
                                () -> {
                                    try (tx) {
                                        Oneshot.Channel<Integer> reply = Oneshot.channel();
                                        tx.blockingSend(new Ask(n, reply.sender()));
                                        return reply.receiver().blockingRecv();
                                    }
                                }));
            }
            ch.sender().close();
            for (int i = 0; i < clients; i++) {
                assertEquals(i * 2, answers.get(i).get(60, TimeUnit.SECONDS));
            }
            server.get(60, TimeUnit.SECONDS);
        } finally {
            vts.shutdownNow();
        }
        assertTrue(ch.receiver().isClosed() && ch.receiver().isEmpty());
    }

    @Test
    void virtualWatchersAndBroadcastReceiversSeeTheFinalValue() throws Exception {
        int watchers = 3_000;
        Watch.Channel<Integer> watch = Watch.channel(0);
        Broadcast.Channel<Integer> bus = Broadcast.channel(8);
        ExecutorService vts = VirtualThreads.executor();
        try {
            List<Future<Integer>> seen = new ArrayList<>(watchers);
            List<Future<Integer>> last = new ArrayList<>(watchers);
            for (int i = 0; i < watchers; i++) {
                Watch.Receiver<Integer> rx = watch.sender().subscribe();
                seen.add(vts.submit(() -> rx.blockingWaitFor(v -> v == 100).get()));
                Broadcast.Receiver<Integer> brx = bus.sender().subscribe();
                last.add(
                        vts.submit(
                                () -> {
                                    int lastValue = -1;
                                    for (; ; ) {
                                        Integer v;
                                        try {
                                            v = brx.blockingRecv();
                                        } catch (LaggedException lagged) {
                                            continue; // resumes at the oldest retained value
                                        }
                                        if (v == null) {
                                            return lastValue;
                                        }
                                        lastValue = v;
                                    }
                                }));
            }
            for (int v = 1; v <= 100; v++) {
                watch.sender().send(v);
                assertTrue(bus.sender().send(v) > 0);
            }
            bus.sender().close();
            for (int i = 0; i < watchers; i++) {
                assertEquals(100, seen.get(i).get(60, TimeUnit.SECONDS));
                assertEquals(100, last.get(i).get(60, TimeUnit.SECONDS), "the final value");
            }
        } finally {
            vts.shutdownNow();
        }
    }
}
