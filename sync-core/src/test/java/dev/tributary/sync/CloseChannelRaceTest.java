package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two threads call {@code closeChannel(cause)} through the same sender handle at once: the calls
 * are linearizable, so exactly one closes the channel (returns true) and the other finds the handle
 * closed ({@link IllegalStateException}), never "channel already closed" (false); the handle's
 * strong count is dropped exactly once.
 */
@Timeout(120)
class CloseChannelRaceTest {
    private static final int ITERATIONS = 3_000;
    private static final RuntimeException CAUSE = new RuntimeException("closed by the test");

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** One channel: the racing call, and the strong senders left afterwards. */
    private record Case(BooleanSupplier closeChannel, IntSupplier strongLeft) {}

    @Test
    void mpscSender() throws Exception {
        race(
                () -> {
                    Mpsc.Channel<Integer> ch = Mpsc.channel(4);
                    Mpsc.Sender<Integer> keep = ch.sender().clone();
                    return new Case(() -> ch.sender().closeChannel(CAUSE), keep::strongCount);
                });
    }

    @Test
    void mpscUnboundedSender() throws Exception {
        race(
                () -> {
                    Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                    Mpsc.UnboundedSender<Integer> keep = ch.sender().clone();
                    return new Case(() -> ch.sender().closeChannel(CAUSE), keep::strongCount);
                });
    }

    @Test
    void broadcastSender() throws Exception {
        race(
                () -> {
                    Broadcast.Channel<Integer> ch = Broadcast.channel(4);
                    Broadcast.Sender<Integer> keep = ch.sender().clone();
                    return new Case(() -> ch.sender().closeChannel(CAUSE), keep::strongCount);
                });
    }

    @Test
    void watchSender() throws Exception {
        race(
                () -> {
                    Watch.Channel<Integer> ch = Watch.channel(0);
                    Watch.Sender<Integer> keep = ch.sender().clone();
                    return new Case(() -> ch.sender().closeChannel(CAUSE), keep::senderCount);
                });
    }

    private static void race(Supplier<Case> make) throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Case c = make.get();
            CyclicBarrier start = new CyclicBarrier(2);
            Callable<String> call =
                    () -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            return c.closeChannel().getAsBoolean() ? "closed" : "already closed";
                        } catch (IllegalStateException handleClosed) {
                            return "handle closed";
                        }
                    };
            Future<String> a = pool.submit(call);
            Future<String> b = pool.submit(call);
            List<String> outcomes = new ArrayList<>(List.of(a.get(), b.get()));
            outcomes.sort(null);
            assertEquals(List.of("closed", "handle closed"), outcomes, "iteration " + i);
            assertEquals(1, c.strongLeft().getAsInt(), "strong senders left, iteration " + i);
        }
    }
}
