package dev.tributary.examples;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LaggedException;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * broadcast: fan-out of price ticks to three receivers. Every receiver sees every value, unless it
 * falls more than the capacity behind: a broadcast sender never waits, it overwrites the oldest
 * value, and the receiver that had not read it learns exactly how many it missed ({@link
 * LaggedException#missed()}), then carries on from the oldest value still retained.
 *
 * <p>To make the lag exact, the channel holds 4 values, the sender waits for the two fast receivers
 * to acknowledge each tick (so they never lag), and the slow receiver is held back by a latch until
 * all 10 ticks are sent: it misses exactly 10 - 4 = 6.
 */
public final class BroadcastFanOut {
    /** The channel's capacity (a power of two, so it is not rounded up). */
    static final int CAPACITY = 4;

    /** How many ticks are sent. */
    static final int TICKS = 10;

    private BroadcastFanOut() {}

    /**
     * What the example observed.
     *
     * @param fastA what the first fast receiver received, in order
     * @param fastB what the second fast receiver received, in order
     * @param slowMissed the {@link LaggedException#missed()} count the slow receiver saw (0 if it
     *     did not lag)
     * @param slowReceived what the slow receiver received, in order
     */
    public record Result(
            List<String> fastA, List<String> fastB, long slowMissed, List<String> slowReceived)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return fastA.equals(ticks(0, TICKS))
                    && fastB.equals(ticks(0, TICKS))
                    && slowMissed == TICKS - CAPACITY
                    && slowReceived.equals(ticks(TICKS - CAPACITY, TICKS));
        }
    }

    /**
     * The ticks {@code from} (inclusive) to {@code to} (exclusive): {@code "tick-0"}, ...
     *
     * @param from the first tick
     * @param to one past the last tick
     * @return the ticks' values
     */
    public static List<String> ticks(int from, int to) {
        List<String> t = new ArrayList<>();
        for (int i = from; i < to; i++) {
            t.add("tick-" + i);
        }
        return t;
    }

    /**
     * Runs the example.
     *
     * @param out where to tell what happens
     * @return what was observed
     * @throws Exception if the example itself broke
     */
    public static Result run(Narrator out) throws Exception {
        try (Tasks tasks = new Tasks("broadcast")) {
            Broadcast.Channel<String> bus = Broadcast.channel(CAPACITY);
            Broadcast.Sender<String> tx = bus.sender();
            Broadcast.Receiver<String> a = bus.receiver();
            Broadcast.Receiver<String> b = tx.subscribe();
            Broadcast.Receiver<String> slow = tx.subscribe();
            Semaphore acks = new Semaphore(0); // a permit per tick a fast receiver has read
            CountDownLatch slowMayRead = new CountDownLatch(1);

            CompletableFuture<List<String>> fastA = tasks.spawn(() -> readAcking(a, acks));
            CompletableFuture<List<String>> fastB = tasks.spawn(() -> readAcking(b, acks));
            CompletableFuture<Result> slowSide =
                    tasks.spawn(
                            () -> {
                                slowMayRead.await(); // the slow receiver is busy elsewhere
                                return readLagging(slow);
                            });
            out.say(
                    "3 receivers subscribe to a channel of capacity %d; \"slow\" is held back by a latch",
                    CAPACITY);

            for (String tick : ticks(0, TICKS)) {
                tx.send(tick);
                try (SemaphorePermit p = acks.blockingAcquireMany(2)) {
                    p.forget(); // both fast receivers have read this tick
                }
            }
            tx.close(); // the last sender: receivers read what is retained, then end of stream
            out.say(
                    "sent tick-0..tick-%d, each acknowledged by fast-a and fast-b before the next",
                    TICKS - 1);
            slowMayRead.countDown();

            Result slowView = Tasks.await(slowSide);
            Result result =
                    new Result(
                            Tasks.await(fastA),
                            Tasks.await(fastB),
                            slowView.slowMissed(),
                            slowView.slowReceived());
            out.say(
                    "fast-a received %d ticks, fast-b %d, all in order",
                    result.fastA().size(), result.fastB().size());
            out.say(
                    "slow's first recv failed with LaggedException: missed %d (tick-0..tick-%d were overwritten)",
                    result.slowMissed(), result.slowMissed() - 1);
            out.say(
                    "slow recovered at the oldest retained tick and received %s, then end of stream",
                    result.slowReceived());
            return result;
        }
    }

    /** Reads until the end, noting a lag; the fast lists of the result are empty. */
    private static Result readLagging(Broadcast.Receiver<String> slow) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long missed = 0;
        try (slow) {
            for (; ; ) {
                try {
                    String v = slow.blockingRecv();
                    if (v == null) {
                        return new Result(List.of(), List.of(), missed, got); // end of stream
                    }
                    got.add(v);
                } catch (LaggedException e) {
                    missed += e.missed(); // and the receiver is still subscribed
                }
            }
        }
    }

    private static List<String> readAcking(Broadcast.Receiver<String> rx, Semaphore acks)
            throws InterruptedException {
        List<String> got = new ArrayList<>();
        try (rx) {
            for (String v; (v = rx.blockingRecv()) != null; ) {
                got.add(v);
                acks.addPermits(1);
            }
        }
        return got;
    }
}
