package dev.tributary.examples;

import dev.tributary.sync.Mpsc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * mpsc: a task streams the results of a series of computations to a consumer as each one is ready,
 * through a channel of capacity 4. The capacity is the back-pressure: the producer is never more
 * than 4 results ahead of the consumer, and waits (without spinning) when it is. The stream ends
 * when the producer closes its sender.
 */
public final class MpscStreaming {
    /** The channel's capacity. */
    static final int CAPACITY = 4;

    /** How many results the producer computes. */
    static final int COUNT = 12;

    private MpscStreaming() {}

    /**
     * What the example observed.
     *
     * @param received the results in the order the consumer received them
     * @param maxQueued the most results the consumer ever found still waiting in the channel
     */
    public record Result(List<Long> received, int maxQueued) implements Outcome {
        /**
         * The results the producer computes: {@code n!} for {@code n = 1..COUNT}.
         *
         * @return the expected stream, in order
         */
        public static List<Long> expected() {
            List<Long> f = new ArrayList<>();
            long v = 1;
            for (int n = 1; n <= COUNT; n++) {
                v *= n;
                f.add(v);
            }
            return f;
        }

        @Override
        public boolean succeeded() {
            return received.equals(expected()) && maxQueued <= CAPACITY;
        }
    }

    /**
     * Runs the example.
     *
     * @param out where to tell what happens
     * @return what was observed
     * @throws Exception if the example itself broke
     */
    public static Result run(Narrator out) throws Exception {
        try (Tasks tasks = new Tasks("mpsc-stream")) {
            Mpsc.Channel<Long> channel = Mpsc.channel(CAPACITY);
            CompletableFuture<Void> producer =
                    tasks.run(
                            () -> {
                                try (Mpsc.Sender<Long> tx = channel.sender()) {
                                    long factorial = 1;
                                    for (int n = 1; n <= COUNT; n++) {
                                        factorial *= n; // one "computation"
                                        tx.blockingSend(factorial); // waits while 4 are queued
                                    }
                                } // closing the only sender ends the stream
                            });
            out.say(
                    "a producer computes 1!..%d! and sends each into a channel of capacity %d",
                    COUNT, CAPACITY);
            List<Long> received = new ArrayList<>();
            int maxQueued = 0;
            Mpsc.Receiver<Long> rx = channel.receiver();
            for (Long v; (v = rx.blockingRecv()) != null; ) {
                received.add(v);
                maxQueued = Math.max(maxQueued, rx.len()); // those still waiting
            }
            Tasks.await(producer);
            out.say("the consumer received them one by one, in order: %s", received);
            out.say(
                    "at most %d were found queued (capacity %d); then recv() returned null: end of stream",
                    maxQueued, CAPACITY);
            return new Result(received, maxQueued);
        }
    }
}
