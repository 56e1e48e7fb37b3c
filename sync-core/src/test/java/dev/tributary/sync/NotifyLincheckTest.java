package dev.tributary.sync;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link Notify} with Lincheck against an explicit sequential model: every
 * interleaving (up to the budget) of the lock-free permit transitions, the locked waiter list,
 * {@code notifyWaiters} reaching handles created before it but registered after it, cancellation of
 * waits racing their claim, and the re-issue of a notification whose wait was cancelled after being
 * chosen.
 *
 * <p>Operations: the three notifications; {@code create} (a {@link Notified}, recording the {@code
 * notifyWaiters} count); {@code enableCreated} (registers the newest created handle; result: a
 * {@link Registration}: notified at once, queued, or no handle left); {@code cancelLast} (cancels
 * the future of the newest queued wait); {@code hasPermit}. After each scenario, {@link
 * Harness#quiescent()} checks the completions: no wait is still pending while the permit is stored,
 * and (without {@code notifyWaiters}) completions plus the stored permit never exceed the one-shot
 * notifications sent.
 *
 * <p>What is observed, and why: a claimed wait's future completes after the internal lock is
 * released (see the implementation overview of {@code Notify}; tokio likewise wakes after
 * unlocking), so a concurrent {@code notifyOne} can already find the queue empty and store the
 * permit while the chosen future is still completing. A linearizable history is therefore one where
 * notifications take effect at their claim, and completions are settled only once the operations
 * that claimed them have returned: the operations observe registration results and the permit
 * (atomic), and completions are checked at quiescence. Two custom scenarios per test aim at the
 * claim/cancel window and at handles created before {@code notifyWaiters} but registered after it;
 * removing the re-issue of a cancelled claim, or letting {@code notifyWaiters} drop the permit,
 * makes this test fail.
 *
 * <p>Budget: about 10 ms per invocation here. The default (3 iterations of 100 invocations, plus
 * the custom scenarios) keeps the class near 20 s; run a deeper profile locally with, e.g., {@code
 * -Dlincheck.iterations=50 -Dlincheck.invocations=1000}.
 */
@Timeout(300)
class NotifyLincheckTest {

    /** The outcome of {@code enableCreated}. */
    public enum Registration {
        /** The handle was notified at once (the permit, or a notifyWaiters since its creation). */
        NOTIFIED_AT_ONCE,
        /** The handle's wait was queued. */
        QUEUED,
        /** No created handle was left to register. */
        NO_HANDLE
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.options(3, 100).actorsBefore(2).actorsAfter(2);
    }

    @Test
    void oneShotWithCancellation() {
        options()
                .sequentialSpecification(OneShotModel.class)
                // The claim/cancel window, aimed at directly: the cancel may land between the
                // claim and the completion, and the notification must then become the permit.
                .addCustomScenario(
                        scenario(
                                OneShot.class,
                                List.of("create", "enableCreated"),
                                List.of(List.of("notifyOne"), List.of("cancelLast")),
                                List.of("hasPermit")))
                .addCustomScenario(
                        scenario(
                                OneShot.class,
                                List.of("create", "enableCreated", "create", "enableCreated"),
                                List.of(
                                        List.of("notifyLast", "hasPermit"),
                                        List.of("cancelLast", "notifyOne")),
                                List.of("hasPermit", "create", "enableCreated")))
                .check(OneShot.class);
    }

    @Test
    void notifyWaitersWithCancellation() {
        options()
                .sequentialSpecification(AllKindsModel.class)
                // A handle created before notifyWaiters but registered after it.
                .addCustomScenario(
                        scenario(
                                AllKinds.class,
                                List.of("notifyOne", "create"),
                                List.of(List.of("notifyWaiters"), List.of("enableCreated")),
                                List.of("hasPermit", "create", "enableCreated")))
                // notifyWaiters while a notifyOne's claim is completing and being cancelled.
                .addCustomScenario(
                        scenario(
                                AllKinds.class,
                                List.of("create", "enableCreated"),
                                List.of(
                                        List.of("notifyOne"),
                                        List.of("notifyWaiters", "cancelLast")),
                                List.of("hasPermit")))
                .check(AllKinds.class);
    }

    /** Builds a custom scenario from operation names (all without arguments). */
    private static ExecutionScenario scenario(
            Class<?> type, List<String> init, List<List<String>> parallel, List<String> post) {
        List<List<Actor>> threads = new ArrayList<>();
        for (List<String> t : parallel) {
            threads.add(actors(type, t));
        }
        return new ExecutionScenario(
                actors(type, init), threads, actors(type, post), actor(type, "validate"));
    }

    private static List<Actor> actors(Class<?> type, List<String> names) {
        List<Actor> actors = new ArrayList<>();
        for (String name : names) {
            actors.add(actor(type, name));
        }
        return actors;
    }

    private static Actor actor(Class<?> type, String name) {
        return ModelChecks.actor(type, name);
    }

    /**
     * The real {@link Notify} plus the bookkeeping the operations need. The harness lock keeps the
     * stacks in the order of creation and registration; notifications and cancels run outside it.
     */
    abstract static class Harness {
        final Notify notify = new Notify();
        final AtomicInteger oneShots = new AtomicInteger();
        private final ReentrantLock harness = new ReentrantLock();
        private final ArrayDeque<Notified> created = new ArrayDeque<>();
        private final ArrayDeque<CompletableFuture<Void>> live = new ArrayDeque<>();
        private final List<CompletableFuture<Void>> queued = new ArrayList<>();
        private int immediate;

        void create0() {
            harness.lock();
            try {
                created.push(notify.notified());
            } finally {
                harness.unlock();
            }
        }

        Registration enableCreated0() {
            harness.lock();
            try {
                Notified n = created.poll();
                if (n == null) {
                    return Registration.NO_HANDLE;
                }
                if (n.enable()) {
                    immediate++;
                    return Registration.NOTIFIED_AT_ONCE;
                }
                CompletableFuture<Void> f = n.future();
                queued.add(f);
                live.push(f);
                return Registration.QUEUED;
            } finally {
                harness.unlock();
            }
        }

        void cancelLast0() {
            CompletableFuture<Void> f;
            harness.lock();
            try {
                f = live.poll();
            } finally {
                harness.unlock();
            }
            if (f != null) {
                f.cancel(false);
            }
        }

        /**
         * Checks the completions once every operation has returned.
         *
         * @param conserved also check that completions plus the permit never exceed the one-shot
         *     notifications sent (only without {@code notifyWaiters})
         */
        void quiescent(boolean conserved) {
            int pending = 0;
            int completed = immediate;
            for (CompletableFuture<Void> f : queued) {
                if (!f.isDone()) {
                    pending++;
                } else if (!f.isCompletedExceptionally()) {
                    completed++;
                }
            }
            boolean permit = notify.hasStoredPermit();
            if (permit && pending > 0) {
                throw new IllegalStateException(
                        pending + " wait(s) pending while the permit is stored: " + notify);
            }
            int sent = oneShots.get();
            if (conserved && sent > 0 && completed == 0 && !permit) {
                // The first one-shot notification is delivered or stored; only later ones may
                // coalesce into a permit that is already stored.
                throw new IllegalStateException(
                        "lost: " + sent + " notifications, none completed a wait or was stored");
            }
            if (conserved && completed + (permit ? 1 : 0) > sent) {
                throw new IllegalStateException(
                        "delivered twice: "
                                + completed
                                + " completed, permit "
                                + permit
                                + ", but only "
                                + sent
                                + " notifications");
            }
        }
    }

    /** notifyOne, notifyLast, registration, cancellation and the permit. */
    public static class OneShot extends Harness {
        /** Creates the scenario. */
        public OneShot() {}

        /** {@link Notify#notifyOne()}. */
        @Operation
        public void notifyOne() {
            oneShots.incrementAndGet();
            notify.notifyOne();
        }

        /** {@link Notify#notifyLast()}. */
        @Operation
        public void notifyLast() {
            oneShots.incrementAndGet();
            notify.notifyLast();
        }

        /** Creates a handle (unregistered). */
        @Operation
        public void create() {
            create0();
        }

        /**
         * Registers the newest created handle.
         *
         * @return {@code NOTIFIED_AT_ONCE}, {@code QUEUED} or {@code NO_HANDLE}
         */
        @Operation
        public Registration enableCreated() {
            return enableCreated0();
        }

        /** Cancels the future of the newest queued wait (a no-op if it is complete). */
        @Operation
        public void cancelLast() {
            cancelLast0();
        }

        /**
         * Reads the stored permit.
         *
         * @return whether it is stored
         */
        @Operation
        public boolean hasPermit() {
            return notify.hasStoredPermit();
        }

        /** No wait pending beside a stored permit; nothing delivered twice. */
        @Validate
        public void validate() {
            quiescent(true);
        }
    }

    /** As {@link OneShot} with notifyWaiters instead of notifyLast. */
    public static class AllKinds extends Harness {
        /** Creates the scenario. */
        public AllKinds() {}

        /** {@link Notify#notifyOne()}. */
        @Operation
        public void notifyOne() {
            notify.notifyOne();
        }

        /** {@link Notify#notifyWaiters()}. */
        @Operation
        public void notifyWaiters() {
            notify.notifyWaiters();
        }

        /** Creates a handle (unregistered). */
        @Operation
        public void create() {
            create0();
        }

        /**
         * Registers the newest created handle.
         *
         * @return {@code NOTIFIED_AT_ONCE}, {@code QUEUED} or {@code NO_HANDLE}
         */
        @Operation
        public Registration enableCreated() {
            return enableCreated0();
        }

        /** Cancels the future of the newest queued wait (a no-op if it is complete). */
        @Operation
        public void cancelLast() {
            cancelLast0();
        }

        /**
         * Reads the stored permit.
         *
         * @return whether it is stored
         */
        @Operation
        public boolean hasPermit() {
            return notify.hasStoredPermit();
        }

        /** No wait pending beside a stored permit. */
        @Validate
        public void validate() {
            quiescent(false);
        }
    }

    /**
     * The sequential model: one optional permit, the {@code notifyWaiters} count, and waits in
     * registration order.
     */
    abstract static class Model {
        private static final int CREATED = 0;
        private static final int WAITING = 1;
        private static final int DONE = 2;
        private static final int CANCELLED = 3;

        private boolean permit;
        private int calls;
        private final List<Integer> status = new ArrayList<>();
        private final List<Integer> callsAtCreation = new ArrayList<>();
        private final ArrayDeque<Integer> created = new ArrayDeque<>();
        private final ArrayDeque<Integer> queue = new ArrayDeque<>();
        private final ArrayDeque<Integer> live = new ArrayDeque<>();

        void one(boolean newest) {
            Integer id = newest ? queue.pollLast() : queue.pollFirst();
            if (id == null) {
                permit = true;
            } else {
                status.set(id, DONE);
            }
        }

        void all() {
            for (Integer id; (id = queue.pollFirst()) != null; ) {
                status.set(id, DONE);
            }
            calls++;
        }

        void create0() {
            int id = status.size();
            status.add(CREATED);
            callsAtCreation.add(calls);
            created.push(id);
        }

        Registration enableCreated0() {
            Integer id = created.poll();
            if (id == null) {
                return Registration.NO_HANDLE;
            }
            if (callsAtCreation.get(id) != calls) {
                status.set(id, DONE); // notifyWaiters since creation; the permit stays
                return Registration.NOTIFIED_AT_ONCE;
            }
            if (permit) {
                permit = false;
                status.set(id, DONE);
                return Registration.NOTIFIED_AT_ONCE;
            }
            status.set(id, WAITING);
            queue.addLast(id);
            live.push(id);
            return Registration.QUEUED;
        }

        void cancelLast0() {
            Integer id = live.poll();
            if (id != null && status.get(id) == WAITING) {
                status.set(id, CANCELLED);
                queue.remove(id);
            }
        }

        boolean permit() {
            return permit;
        }
    }

    /** Sequential specification of {@link OneShot}. */
    public static class OneShotModel extends Model {
        /** Creates the model. */
        public OneShotModel() {}

        /** Model of {@link OneShot#notifyOne()}. */
        public void notifyOne() {
            one(false);
        }

        /** Model of {@link OneShot#notifyLast()}. */
        public void notifyLast() {
            one(true);
        }

        /** Model of {@link OneShot#create()}. */
        public void create() {
            create0();
        }

        /**
         * Model of {@link OneShot#enableCreated()}.
         *
         * @return the registration outcome
         */
        public Registration enableCreated() {
            return enableCreated0();
        }

        /** Model of {@link OneShot#cancelLast()}. */
        public void cancelLast() {
            cancelLast0();
        }

        /**
         * Model of {@link OneShot#hasPermit()}.
         *
         * @return the permit
         */
        public boolean hasPermit() {
            return permit();
        }
    }

    /** Sequential specification of {@link AllKinds}. */
    public static class AllKindsModel extends Model {
        /** Creates the model. */
        public AllKindsModel() {}

        /** Model of {@link AllKinds#notifyOne()}. */
        public void notifyOne() {
            one(false);
        }

        /** Model of {@link AllKinds#notifyWaiters()}. */
        public void notifyWaiters() {
            all();
        }

        /** Model of {@link AllKinds#create()}. */
        public void create() {
            create0();
        }

        /**
         * Model of {@link AllKinds#enableCreated()}.
         *
         * @return the registration outcome
         */
        public Registration enableCreated() {
            return enableCreated0();
        }

        /** Model of {@link AllKinds#cancelLast()}. */
        public void cancelLast() {
            cancelLast0();
        }

        /**
         * Model of {@link AllKinds#hasPermit()}.
         *
         * @return the permit
         */
        public boolean hasPermit() {
            return permit();
        }
    }
}
