package dev.tributary.examples;

import dev.tributary.sync.OnceCell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OnceCell: a cache filled once. Five request handlers need the same reference table at the same
 * moment, before anyone has loaded it. The first to arrive runs the loader; the others wait (in
 * FIFO order) for its result instead of loading it again. A later caller gets the value at once,
 * without waiting or locking.
 */
public final class OnceCellCache {
    /** How many handlers ask at once. */
    static final int HANDLERS = 5;

    private OnceCellCache() {}

    /**
     * What the example observed.
     *
     * @param loads how many times the loader ran
     * @param sameInstance whether every caller got the very same map
     * @param callers how many callers got a value
     * @param laterCallerImmediate whether a caller after the fill got an already completed future
     */
    public record Result(int loads, boolean sameInstance, int callers, boolean laterCallerImmediate)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return loads == 1 && sameInstance && callers == HANDLERS + 1 && laterCallerImmediate;
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
        try (Tasks tasks = new Tasks("oncecell")) {
            OnceCell<Map<String, String>> countries = new OnceCell<>();
            AtomicInteger loads = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Map<String, String>>> handlers = new ArrayList<>();
            for (int i = 0; i < HANDLERS; i++) {
                handlers.add(
                        tasks.spawn(
                                () -> {
                                    start.await(); // all handlers ask together
                                    return countries.blockingGetOrInit(
                                            () -> {
                                                loads.incrementAndGet();
                                                sleepMillis(30); // simulated work: a slow load
                                                return Map.of(
                                                        "FR", "France",
                                                        "JP", "Japan",
                                                        "NZ", "New Zealand");
                                            });
                                }));
            }
            start.countDown();
            out.say("%d handlers ask an empty OnceCell for the country table at once", HANDLERS);
            List<Map<String, String>> got = new ArrayList<>();
            for (CompletableFuture<Map<String, String>> h : handlers) {
                got.add(Tasks.await(h));
            }
            CompletableFuture<Map<String, String>> later =
                    countries.getOrInit(
                            () -> {
                                loads.incrementAndGet();
                                return CompletableFuture.completedFuture(Map.of());
                            });
            boolean immediate = later.isDone();
            got.add(Tasks.await(later));
            boolean same = got.stream().allMatch(m -> m == got.get(0));
            out.say(
                    "the loader ran %d time(s); all %d callers got the same table: %s",
                    loads.get(), HANDLERS, same);
            out.say(
                    "a later getOrInit() was complete at once: %s (%d entries)",
                    immediate, got.get(0).size());
            return new Result(loads.get(), same, got.size(), immediate);
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
