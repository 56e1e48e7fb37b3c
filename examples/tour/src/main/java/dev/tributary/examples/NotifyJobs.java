package dev.tributary.examples;

import dev.tributary.sync.Notified;
import dev.tributary.sync.Notify;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notify: a worker sleeps until there is a job. Jobs go into a plain concurrent queue; {@link
 * Notify} carries no data, it only tells the worker to go and look. The worker registers its {@link
 * Notified} before it checks the queue, so a job added between its check and its wait still wakes
 * it; and a {@code notifyOne()} with nobody waiting is kept as a permit, so no job is ever missed.
 */
public final class NotifyJobs {
    /** The jobs of the first burst. */
    static final List<String> FIRST_BURST =
            List.of("resize photo-1", "resize photo-2", "index doc-7");

    /** The jobs of the second burst, sent while the worker waits. */
    static final List<String> SECOND_BURST = List.of("send mail-3", "purge cache");

    private NotifyJobs() {}

    /**
     * What the example observed.
     *
     * @param handled the jobs the worker handled, in order
     */
    public record Result(List<String> handled) implements Outcome {
        @Override
        public boolean succeeded() {
            List<String> all = new ArrayList<>(FIRST_BURST);
            all.addAll(SECOND_BURST);
            return handled.equals(all);
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
        try (Tasks tasks = new Tasks("notify")) {
            Queue<String> queue = new ConcurrentLinkedQueue<>();
            Notify jobReady = new Notify();
            CountDownLatch firstBurstDone = new CountDownLatch(FIRST_BURST.size());
            AtomicBoolean stopRequested = new AtomicBoolean();
            CompletableFuture<List<String>> worker =
                    tasks.spawn(
                            () -> {
                                List<String> handled = new ArrayList<>();
                                for (; ; ) {
                                    try (Notified n = jobReady.notified()) {
                                        n.enable(); // register first, then look
                                        String job = queue.poll();
                                        if (job != null) {
                                            handled.add(job);
                                            firstBurstDone.countDown();
                                            continue;
                                        }
                                        if (stopRequested.get()) {
                                            return handled;
                                        }
                                        n.blockingAwait(); // queue empty: sleep until told
                                    }
                                }
                            });
            for (String job : FIRST_BURST) {
                queue.add(job);
                jobReady.notifyOne();
            }
            out.say("queued %s, calling notifyOne() after each", FIRST_BURST);
            firstBurstDone.await();
            out.say(
                    "the worker handled them and, finding the queue empty, waits on Notify (no polling)");
            for (String job : SECOND_BURST) {
                queue.add(job);
                jobReady.notifyOne();
            }
            stopRequested.set(true);
            jobReady.notifyOne();
            List<String> handled = Tasks.await(worker);
            out.say("queued %s and a stop request; notifyOne() woke the worker", SECOND_BURST);
            out.say("the worker handled, in order: %s, then stopped", handled);
            return new Result(handled);
        }
    }
}
