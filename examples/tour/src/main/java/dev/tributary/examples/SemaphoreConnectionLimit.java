package dev.tributary.examples;

import dev.tributary.sync.Semaphore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Semaphore: a connection limit. Ten queries go to a database that accepts three connections; each
 * runs inside {@link Semaphore#withPermit}, which takes a permit (waiting, in FIFO order, without
 * blocking a thread), starts the query and gives the permit back when the query's future completes.
 * The first three hold their connections until all three are open, so the limit is reached for
 * certain; the other seven wait their turn.
 */
public final class SemaphoreConnectionLimit {
    /** The connection limit. */
    static final int LIMIT = 3;

    /** How many queries are sent. */
    static final int QUERIES = 10;

    private SemaphoreConnectionLimit() {}

    /**
     * What the example observed.
     *
     * @param answers the queries' answers, in the order they were sent
     * @param peakOpen the most connections that were open at once
     * @param permitsAfter the permits available once every query finished
     */
    public record Result(List<String> answers, int peakOpen, int permitsAfter) implements Outcome {
        @Override
        public boolean succeeded() {
            return answers.size() == QUERIES && peakOpen == LIMIT && permitsAfter == LIMIT;
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
        ExecutorService database =
                Executors.newFixedThreadPool(QUERIES, Tasks.daemonThreads("database"));
        try {
            Semaphore connections = new Semaphore(LIMIT);
            AtomicInteger open = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            CountDownLatch limitReached = new CountDownLatch(LIMIT);
            List<CompletableFuture<String>> queries = new ArrayList<>();
            for (int q = 0; q < QUERIES; q++) {
                int query = q;
                queries.add(
                        connections.withPermit(
                                () ->
                                        CompletableFuture.supplyAsync(
                                                () -> {
                                                    int now = open.incrementAndGet();
                                                    peak.accumulateAndGet(now, Math::max);
                                                    limitReached.countDown();
                                                    awaitUninterruptibly(limitReached);
                                                    String answer = "row " + query;
                                                    open.decrementAndGet();
                                                    return answer;
                                                },
                                                database)));
            }
            out.say(
                    "%d queries, a Semaphore(%d) as the connection limit; each runs in withPermit()",
                    QUERIES, LIMIT);
            List<String> answers = new ArrayList<>();
            for (CompletableFuture<String> f : queries) {
                answers.add(Tasks.await(f));
            }
            Result result = new Result(answers, peak.get(), connections.availablePermits());
            out.say(
                    "all %d answered; at most %d connections were open at once; %d permits free again",
                    answers.size(), result.peakOpen(), result.permitsAfter());
            return result;
        } finally {
            database.shutdown();
            database.awaitTermination(Tasks.PATIENCE_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
