package dev.tributary.examples;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Oneshot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * oneshot: a task computes a value and sends it to the task waiting for it. Then the same value
 * through the task's own {@link CompletableFuture}, which is all you need when the result is the
 * task's last act (tokio's {@code JoinHandle}); a task that throws completes its future
 * exceptionally with what it threw. Last, a sender closed without a value: the receiver fails with
 * {@link ClosedException} rather than waiting forever.
 */
public final class OneshotComputation {
    /** The sum of the squares 1..1000. */
    static final long EXPECTED = 333_833_500L;

    private OneshotComputation() {}

    /**
     * What the example observed.
     *
     * @param viaOneshot the value received through the oneshot channel
     * @param viaFuture the value the task's own future completed with
     * @param failure what the future of a task that threw failed with
     * @param closedWithoutValue what the receiver of a sender closed without a value failed with
     */
    public record Result(
            long viaOneshot, long viaFuture, Throwable failure, Throwable closedWithoutValue)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return viaOneshot == EXPECTED
                    && viaFuture == EXPECTED
                    && failure instanceof ArithmeticException
                    && closedWithoutValue instanceof ClosedException;
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
        try (Tasks tasks = new Tasks("oneshot")) {
            Oneshot.Channel<Long> result = Oneshot.channel();
            Oneshot.Sender<Long> tx = result.sender();
            tasks.run(() -> tx.send(sumOfSquares(1000)));
            out.say(
                    "main waits on a oneshot receiver while a task computes the sum of squares 1..1000");
            long viaOneshot = result.receiver().blockingRecv();
            out.say("the task sent %,d; main received it", viaOneshot);

            long viaFuture = Tasks.await(tasks.spawn(() -> sumOfSquares(1000)));
            out.say(
                    "the same through the task's own CompletableFuture, no channel: %,d",
                    viaFuture);

            CompletableFuture<Long> failing =
                    tasks.spawn(() -> Math.multiplyExact(Long.MAX_VALUE, 2L));
            Throwable failure = failing.handle((v, e) -> unwrap(e)).join();
            out.say("a task that throws fails its future with the cause: %s", failure);

            Oneshot.Channel<Long> abandoned = Oneshot.channel();
            tasks.run(() -> abandoned.sender().close()); // gives up without sending
            Throwable closed = null;
            try {
                abandoned.receiver().blockingRecv();
            } catch (ClosedException e) {
                closed = e;
            }
            out.say(
                    "a sender closed without a value: the receiver fails with %s",
                    closed == null ? "nothing" : closed.getClass().getSimpleName());
            return new Result(viaOneshot, viaFuture, failure, closed);
        }
    }

    static long sumOfSquares(int n) {
        long sum = 0;
        for (long i = 1; i <= n; i++) {
            sum += i * i;
        }
        return sum;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
