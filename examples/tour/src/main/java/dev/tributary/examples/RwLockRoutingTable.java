package dev.tributary.examples;

import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockReadGuard;
import dev.tributary.sync.RwLockWriteGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RwLock: a read-mostly routing table. Request handlers look routes up under the read lock, many at
 * once; an operator changes a route under the write lock, which waits until the current readers are
 * done. The lock is write-preferring: once a writer waits, new readers queue behind it, so a steady
 * stream of lookups cannot starve the update.
 */
public final class RwLockRoutingTable {
    /** How many handlers read at once. */
    static final int READERS = 3;

    private RwLockRoutingTable() {}

    /**
     * What the example observed.
     *
     * @param readersInside how many handlers held the read lock at the same time
     * @param writerWaitedForReaders whether the write lock was still pending while they held it
     * @param lateReaderQueued whether a new reader was refused while the writer waited
     * @param routeBefore what {@code /api} routed to before the update, per handler
     * @param routeAfter what {@code /api} routed to after the update, per handler
     */
    public record Result(
            int readersInside,
            boolean writerWaitedForReaders,
            boolean lateReaderQueued,
            List<String> routeBefore,
            List<String> routeAfter)
            implements Outcome {
        @Override
        public boolean succeeded() {
            return readersInside == READERS
                    && writerWaitedForReaders
                    && lateReaderQueued
                    && routeBefore.equals(List.of("backend-a", "backend-a", "backend-a"))
                    && routeAfter.equals(List.of("backend-b", "backend-b", "backend-b"));
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
        try (Tasks tasks = new Tasks("rwlock")) {
            Map<String, String> table = new HashMap<>();
            table.put("/api", "backend-a");
            table.put("/static", "cdn");
            RwLock<Map<String, String>> routes = new RwLock<>(table);

            CountDownLatch allInside = new CountDownLatch(READERS);
            CountDownLatch mayLeave = new CountDownLatch(1);
            AtomicInteger holding = new AtomicInteger(); // handlers inside the read lock now
            List<CompletableFuture<String>> handlers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                handlers.add(
                        tasks.spawn(
                                () -> {
                                    try (RwLockReadGuard<Map<String, String>> g =
                                            routes.blockingRead()) {
                                        holding.incrementAndGet();
                                        String route = g.get().get("/api");
                                        allInside.countDown();
                                        mayLeave.await(); // a slow request, still reading
                                        holding.decrementAndGet();
                                        return route;
                                    }
                                }));
            }
            allInside.await();
            int readersInside = holding.get();
            out.say("%d handlers hold the read lock at once; each looked up /api", readersInside);

            CompletableFuture<RwLockWriteGuard<Map<String, String>>> write = routes.write();
            boolean writerWaited = !write.isDone();
            RwLockReadGuard<Map<String, String>> late = routes.tryRead();
            boolean lateQueued = late == null;
            if (late != null) {
                late.close();
            }
            out.say(
                    "the operator's write() is pending: %s; a new reader's tryRead() is refused: %s",
                    writerWaited, lateQueued);

            mayLeave.countDown();
            List<String> before = new ArrayList<>();
            for (CompletableFuture<String> h : handlers) {
                before.add(Tasks.await(h));
            }
            try (RwLockWriteGuard<Map<String, String>> g = Tasks.await(write)) {
                g.get().put("/api", "backend-b");
            }
            out.say("the readers left; the writer moved /api from %s to backend-b", before.get(0));

            List<CompletableFuture<String>> after = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                after.add(
                        tasks.spawn(
                                () -> {
                                    try (RwLockReadGuard<Map<String, String>> g =
                                            routes.blockingRead()) {
                                        return g.get().get("/api");
                                    }
                                }));
            }
            List<String> routeAfter = new ArrayList<>();
            for (CompletableFuture<String> h : after) {
                routeAfter.add(Tasks.await(h));
            }
            out.say("later lookups of /api: %s", routeAfter);
            return new Result(readersInside, writerWaited, lateQueued, before, routeAfter);
        }
    }
}
