package dev.tributary.examples;

import dev.tributary.sync.Barrier;
import dev.tributary.sync.BarrierWaitResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Barrier: three workers each load one shard of an index, then start answering queries together;
 * none may start before every shard is loaded. Each waits at the barrier; the last to arrive
 * releases all three and is the generation's leader, which does the one-off step (here it announces
 * the index ready). The same barrier is then used for a second phase.
 */
public final class BarrierPhases {
    /** How many workers. */
    static final int WORKERS = 3;

    private BarrierPhases() {}

    /**
     * What the example observed.
     *
     * @param shardsLoadedAtPhase2 per worker, how many shards were loaded when it started phase 2
     * @param leadersPhase1 how many workers were told they led the first generation
     * @param queriesAnsweredAtEnd per worker, how many queries had been answered (by all workers)
     *     when it passed the second barrier
     * @param leadersPhase2 how many workers were told they led the second generation
     */
    public record Result(
            List<Integer> shardsLoadedAtPhase2,
            int leadersPhase1,
            List<Integer> queriesAnsweredAtEnd,
            int leadersPhase2)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return shardsLoadedAtPhase2.equals(List.of(WORKERS, WORKERS, WORKERS))
                    && queriesAnsweredAtEnd.equals(List.of(WORKERS, WORKERS, WORKERS))
                    && leadersPhase1 == 1
                    && leadersPhase2 == 1;
        }
    }

    private record WorkerView(int shardsSeen, boolean led1, int answeredSeen, boolean led2) {}

    /**
     * Runs the example.
     *
     * @param out where to tell what happens
     * @return what was observed
     * @throws Exception if the example itself broke
     */
    public static Result run(Narrator out) throws Exception {
        try (Tasks tasks = new Tasks("barrier")) {
            Barrier barrier = new Barrier(WORKERS);
            AtomicInteger shardsLoaded = new AtomicInteger();
            AtomicInteger queriesAnswered = new AtomicInteger();
            List<CompletableFuture<WorkerView>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.add(
                        tasks.spawn(
                                () -> {
                                    Thread.sleep(
                                            5L * worker); // simulated work: shards differ in size
                                    shardsLoaded.incrementAndGet();
                                    BarrierWaitResult phase1 = barrier.blockingAwait();
                                    int shardsSeen = shardsLoaded.get();
                                    queriesAnswered.incrementAndGet(); // phase 2: one query each
                                    BarrierWaitResult phase2 = barrier.blockingAwait();
                                    return new WorkerView(
                                            shardsSeen,
                                            phase1.isLeader(),
                                            queriesAnswered.get(),
                                            phase2.isLeader());
                                }));
            }
            out.say("%d workers load their shard, then wait at a Barrier(%d)", WORKERS, WORKERS);
            List<Integer> shardsSeen = new ArrayList<>();
            List<Integer> answeredSeen = new ArrayList<>();
            int leaders1 = 0;
            int leaders2 = 0;
            for (CompletableFuture<WorkerView> f : workers) {
                WorkerView v = Tasks.await(f);
                shardsSeen.add(v.shardsSeen());
                answeredSeen.add(v.answeredSeen());
                leaders1 += v.led1() ? 1 : 0;
                leaders2 += v.led2() ? 1 : 0;
            }
            out.say(
                    "the last arrival released all of them; each saw shards loaded: %s; leaders: %d",
                    shardsSeen, leaders1);
            out.say(
                    "second phase through the same barrier: each saw queries answered: %s; leaders: %d",
                    answeredSeen, leaders2);
            return new Result(shardsSeen, leaders1, answeredSeen, leaders2);
        }
    }
}
