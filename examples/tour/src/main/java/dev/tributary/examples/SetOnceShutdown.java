package dev.tributary.examples;

import dev.tributary.sync.SetOnce;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * SetOnce: a shutdown signal that carries its reason. Three workers wait for it; whoever decides to
 * shut down first sets the reason, and every worker, waiting or not yet waiting, sees that same
 * reason. A second decision (a failing health check a moment later) is refused with {@link
 * SetOnce.AlreadySetException}, which hands the rejected value back.
 */
public final class SetOnceShutdown {
    /** The workers' names. */
    static final List<String> WORKERS = List.of("ingest", "render", "upload");

    /** The reason that wins. */
    static final String FIRST = "SIGTERM from the orchestrator";

    /** The reason that comes second. */
    static final String SECOND = "health check failed";

    private SetOnceShutdown() {}

    /**
     * What the example observed.
     *
     * @param reasonsSeen the reason each worker stopped for, in worker order
     * @param rejected the value the second {@code set} was refused with, or null if it was not
     * @param lateWorkerReason what a worker that started after the signal saw
     */
    public record Result(List<String> reasonsSeen, Object rejected, String lateWorkerReason)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return reasonsSeen.equals(List.of(FIRST, FIRST, FIRST))
                    && SECOND.equals(rejected)
                    && FIRST.equals(lateWorkerReason);
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
        try (Tasks tasks = new Tasks("setonce")) {
            SetOnce<String> shutdown = new SetOnce<>();
            List<CompletableFuture<String>> workers = new ArrayList<>();
            for (int i = 0; i < WORKERS.size(); i++) {
                // Each worker's control task parks until the signal; its work runs elsewhere.
                workers.add(tasks.spawn(shutdown::blockingAwait));
            }
            out.say("workers %s wait on an empty SetOnce<String> for a shutdown reason", WORKERS);
            shutdown.set(FIRST);
            Object rejected = null;
            try {
                shutdown.set(SECOND);
            } catch (SetOnce.AlreadySetException e) {
                rejected = e.value();
            }
            out.say("set(\"%s\") won; set(\"%s\") was refused: AlreadySetException", FIRST, SECOND);
            List<String> seen = new ArrayList<>();
            for (CompletableFuture<String> w : workers) {
                seen.add(Tasks.await(w));
            }
            String late = Tasks.await(shutdown.await());
            out.say("each worker stopped for: %s; a late await() gets it at once", seen.get(0));
            return new Result(seen, rejected, late);
        }
    }
}
