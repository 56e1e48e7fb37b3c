package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Test support for the cancel-contract tests ({@code *ExternalCompletionRaceTest}): every external
 * completion entry point of {@link CompletableFuture} ({@link Entry}), applied to the pending
 * future of a waiting method ({@link Round}) while another thread grants what the wait is waiting
 * for.
 *
 * <p>The contract under test: completing a waiting future from outside, through any entry point,
 * withdraws the operation atomically and exactly once. Either the operation took effect first (the
 * future holds its real result and the outside completion lost) or it never will (nothing consumed,
 * nothing leaked, nothing left registered); {@code obtrudeValue}/{@code obtrudeException} throw
 * {@link UnsupportedOperationException}.
 *
 * <p>An outside completion is recognised by what it leaves in the future: the round's {@link
 * Round#outsideValue()} (usually {@link #OUTSIDE}, an object no primitive ever produces, forced
 * into the future through an unchecked view, also for {@code Void} futures), a {@link Marker}, a
 * {@link CancellationException} or a {@link TimeoutException}. Anything else is the operation's
 * real result, checked by the round.
 *
 * <p>Three drivers: {@link #raceLoop} (the race, invariants after every iteration), {@link
 * #withdrawWithoutGrant} (no grant at all: the outside completion must win, a dependent of the
 * future must already see the wait withdrawn, and a grant afterwards must go elsewhere), and {@link
 * #obtrudeUnsupported}. {@link AbstractExternalCompletionRaceTest} runs them (and {@link
 * #claimedThenCompleted}) over the cases of each concrete test.
 */
final class ExternalCompletion {

    /** What the value-carrying entry points complete the future with. */
    static final Object OUTSIDE =
            new Object() {
                @Override
                public String toString() {
                    return "OUTSIDE";
                }
            };

    /** What {@code completeExceptionally} completes the future with; stackless. */
    static final class Marker extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Marker() {
            super("completed exceptionally from outside", null, false, false);
        }
    }

    /** The thread of {@link Entry#COMPLETE_ASYNC_POOL}; a daemon. */
    private static final ExecutorService POOL =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "outside-completion-pool");
                        t.setDaemon(true);
                        return t;
                    });

    private ExternalCompletion() {}

    /** The external completion entry points of {@link CompletableFuture}. */
    enum Entry {
        CANCEL(0),
        COMPLETE(0),
        COMPLETE_EXCEPTIONALLY(0),
        /** {@code completeAsync(supplier, Runnable::run)}: on the racing thread itself. */
        COMPLETE_ASYNC_DIRECT(0),
        /** {@code completeAsync(supplier, pool)}: on a pool thread. */
        COMPLETE_ASYNC_POOL(40_000),
        /** {@code completeAsync(supplier)}: the future's default executor. */
        COMPLETE_ASYNC_DEFAULT(80_000),
        /** {@code orTimeout(1..100 µs)}. */
        OR_TIMEOUT(150_000),
        /** {@code completeOnTimeout(OUTSIDE, 1..100 µs)}. */
        COMPLETE_ON_TIMEOUT(150_000);

        /**
         * The grant waits a random 0..jitter ns (spinning) so that an outside completion that lands
         * later than the call (a pool thread, the JDK's delayer thread) still loses some races and
         * wins others.
         */
        final long maxJitterNanos;

        Entry(long maxJitterNanos) {
            this.maxJitterNanos = maxJitterNanos;
        }

        boolean completesWithValue() {
            return this != CANCEL && this != COMPLETE_EXCEPTIONALLY && this != OR_TIMEOUT;
        }
    }

    /**
     * One waiting method on a fresh primitive: the constructor sets the primitive up with one wait
     * pending.
     */
    abstract static class Round {
        /** The pending future under test. */
        abstract CompletableFuture<?> future();

        /**
         * What the value-carrying entry points complete the future with: {@link #OUTSIDE}, unless
         * the future's class overrides {@code complete} with a narrower parameter type (its bridge
         * method would throw {@link ClassCastException} on {@link #OUTSIDE}); then a value of that
         * type that the primitive never produces itself.
         */
        Object outsideValue() {
            return OUTSIDE;
        }

        /** What the wait waits for: a message, a permit, a notification, a value. */
        abstract void grant();

        /**
         * After the race settled (both sides returned, the future is complete): the invariants.
         *
         * @param outsideWon true if the future holds the outside completion, false if it holds the
         *     operation's real result
         */
        abstract void check(boolean outsideWon) throws Exception;

        /**
         * What is left of the wait's registration, as far as the primitive lets a test observe it;
         * null if nothing (or if nothing can be observed). Must not consume anything; may run on
         * any thread, inside a dependent of the future.
         */
        abstract String leftover();
    }

    /** A waiting method, named for the test report. */
    record Case(String name, Supplier<Round> start) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case with every entry point. */
    static Stream<Arguments> matrix(List<Case> cases) {
        return cases.stream().flatMap(c -> Stream.of(Entry.values()).map(e -> Arguments.of(c, e)));
    }

    /** The future seen as a future of Object, so that {@link #OUTSIDE} fits every type. */
    @SuppressWarnings("unchecked")
    static CompletableFuture<Object> raw(CompletableFuture<?> f) {
        return (CompletableFuture<Object>) f;
    }

    /** One external completion of one future, through one entry point. */
    static final class Outside {
        private final Entry entry;
        private final CompletableFuture<Object> future;
        private final Object value;
        private final CountDownLatch ran = new CountDownLatch(1);
        private volatile Boolean returned;

        Outside(Entry entry, Round round) {
            this.entry = entry;
            this.future = raw(round.future());
            this.value = round.outsideValue();
        }

        /** Applies the entry point (on the racing thread). */
        void run() {
            Supplier<Object> supplier = () -> value;
            long timeout = ThreadLocalRandom.current().nextLong(1_000, 100_000);
            switch (entry) {
                case CANCEL:
                    returned = future.cancel(false);
                    break;
                case COMPLETE:
                    returned = future.complete(value);
                    break;
                case COMPLETE_EXCEPTIONALLY:
                    returned = future.completeExceptionally(new Marker());
                    break;
                case COMPLETE_ASYNC_DIRECT:
                    assertTrue(future.completeAsync(supplier, Runnable::run) == future);
                    break;
                case COMPLETE_ASYNC_POOL:
                    Executor counted =
                            r ->
                                    POOL.execute(
                                            () -> {
                                                try {
                                                    r.run();
                                                } finally {
                                                    ran.countDown();
                                                }
                                            });
                    assertTrue(future.completeAsync(supplier, counted) == future);
                    break;
                case COMPLETE_ASYNC_DEFAULT:
                    assertTrue(future.completeAsync(supplier) == future);
                    break;
                case OR_TIMEOUT:
                    assertTrue(future.orTimeout(timeout, TimeUnit.NANOSECONDS) == future);
                    break;
                case COMPLETE_ON_TIMEOUT:
                    assertTrue(
                            future.completeOnTimeout(value, timeout, TimeUnit.NANOSECONDS)
                                    == future);
                    break;
                default:
                    throw new AssertionError(entry);
            }
        }

        /**
         * Waits until the future is complete (and a pool completion has run), and returns whether
         * the outside completion won; checks that the return value of {@code cancel}/{@code
         * complete}/{@code completeExceptionally} says the same.
         */
        boolean settle() throws Exception {
            if (entry == Entry.COMPLETE_ASYNC_POOL) {
                assertTrue(ran.await(30, TimeUnit.SECONDS), "the pool ran the completion");
            }
            try {
                future.get(30, TimeUnit.SECONDS); // a TimeoutException here: the wait is stuck
            } catch (ExecutionException | CancellationException expected) {
                // classified below
            }
            boolean won = outsideWon(entry, future, value);
            Boolean r = returned;
            if (r != null) {
                assertEquals(
                        r,
                        won,
                        entry
                                + " returned "
                                + r
                                + " but the future holds "
                                + (won ? "the outside completion" : "the real result"));
            }
            return won;
        }
    }

    /**
     * Classifies a complete future: true if it holds {@code entry}'s outside completion, false if
     * it holds a real result; fails on anything else.
     */
    static boolean outsideWon(Entry entry, CompletableFuture<?> f, Object outsideValue) {
        assertTrue(f.isDone(), "complete");
        if (f.isCancelled()) {
            assertEquals(Entry.CANCEL, entry, "cancelled, but not by the test: " + f);
            return true;
        }
        if (f.isCompletedExceptionally()) {
            Throwable t = f.handle((v, e) -> e).getNow(null);
            if (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            if (t instanceof Marker) {
                assertEquals(Entry.COMPLETE_EXCEPTIONALLY, entry);
                return true;
            }
            if (t instanceof TimeoutException) {
                assertEquals(Entry.OR_TIMEOUT, entry);
                return true;
            }
            throw new AssertionError("the wait failed on its own: " + t, t);
        }
        if (f.getNow(null) == outsideValue) {
            assertTrue(entry.completesWithValue(), entry + " cannot complete with a value");
            return true;
        }
        return false;
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /**
     * Races the outside completion (on this thread) against the grant (on {@link Race}'s helper
     * thread) {@code iterations} times, each on a fresh primitive, and checks the round's
     * invariants after every iteration.
     *
     * @return how many iterations the outside completion won
     */
    static int raceLoop(Case c, Entry e, int iterations) throws Exception {
        if (e == Entry.COMPLETE_ASYNC_DEFAULT) {
            // The default executor is a new thread per task on a 2-core machine (common pool
            // parallelism 1), and the one-argument form only delegates to the two-argument one.
            iterations = Math.max(1, iterations / 4);
        }
        int outsideWins = 0;
        for (int i = 0; i < iterations; i++) {
            Round r = c.start().get();
            CompletableFuture<?> f = r.future();
            assertFalse(f.isDone(), c + ": the wait must be pending before the race");
            Outside o = new Outside(e, r);
            long jitter =
                    e.maxJitterNanos == 0
                            ? 0
                            : ThreadLocalRandom.current().nextLong(e.maxJitterNanos);
            Race.race(
                    o::run,
                    () -> {
                        spin(jitter);
                        r.grant();
                    });
            boolean won;
            try {
                won = o.settle();
                r.check(won);
            } catch (AssertionError | Exception ex) {
                throw new AssertionError(
                        c + " + " + e + ", iteration " + i + ": " + ex.getMessage(), ex);
            }
            if (won) {
                outsideWins++;
            }
        }
        System.out.printf(
                "%s + %s: outside won %d of %d%n", c, e, outsideWins, iterations); // for the report
        return outsideWins;
    }

    /**
     * With no grant: the outside completion must win, the wait must be withdrawn before the
     * completion is visible (a dependent registered before sees it withdrawn), and a grant made
     * afterwards must go where it would go without the wait.
     */
    static void withdrawWithoutGrant(Case c, Entry e, int iterations) throws Exception {
        for (int i = 0; i < iterations; i++) {
            Round r = c.start().get();
            CompletableFuture<?> f = r.future();
            assertFalse(f.isDone(), c + ": the wait must be pending");
            AtomicReference<String> seenByDependent = new AtomicReference<>();
            CountDownLatch dependentRan = new CountDownLatch(1);
            f.whenComplete(
                    (v, t) -> {
                        String left = r.leftover();
                        seenByDependent.set(left == null ? "" : left);
                        dependentRan.countDown();
                    });
            Outside o = new Outside(e, r);
            o.run();
            String where = c + " + " + e + ", iteration " + i + ": ";
            assertTrue(o.settle(), where + "with nothing granted the outside completion must win");
            assertTrue(dependentRan.await(30, TimeUnit.SECONDS), where + "dependent ran");
            assertEquals(
                    "",
                    seenByDependent.get(),
                    where + "a dependent of the completed future must see the wait withdrawn");
            assertNull(r.leftover(), where + "the wait must be withdrawn");
            r.grant();
            try {
                r.check(true);
            } catch (AssertionError ex) {
                throw new AssertionError(where + ex.getMessage(), ex);
            }
        }
    }

    /** The entry points that complete the future on the calling thread, before they return. */
    static Stream<Arguments> synchronousMatrix(List<Case> cases) {
        return cases.stream()
                .flatMap(
                        c ->
                                Stream.of(
                                                Entry.CANCEL,
                                                Entry.COMPLETE,
                                                Entry.COMPLETE_EXCEPTIONALLY,
                                                Entry.COMPLETE_ASYNC_DIRECT)
                                        .map(e -> Arguments.of(c, e)));
    }

    /**
     * The interleaving that the race loop hits only now and then, made deterministic: the grant
     * claims the wait, but its delivery is still to come, when the outside completion runs.
     *
     * <p>How: the grant and the outside completion run inside library completions nested until the
     * trampoline is saturated (see {@code internal.Trampoline}: past its depth bound a completion
     * is queued and run when the outermost frame unwinds). There, the grant's delivery is queued
     * behind the outside completion. The wait's future must then either hold the outside completion
     * with the grant handed back (waiter-core waits) or hold the real result with the outside
     * completion refused (mpsc, whose claim decides); the round's invariants must hold either way.
     */
    static void claimedThenCompleted(Case c, Entry e) throws Exception {
        Round r = c.start().get();
        CompletableFuture<?> f = r.future();
        assertFalse(f.isDone(), c + ": the wait must be pending");
        Outside o = new Outside(e, r);
        AtomicReference<String> deferred = new AtomicReference<>();
        atSaturatedTrampoline(
                () -> {
                    r.grant();
                    deferred.set(f.isDone() ? "the grant completed the wait at once" : "");
                    o.run();
                },
                new AtomicBoolean(),
                0);
        String where = c + " + " + e + ": ";
        assertEquals(
                "",
                deferred.get(),
                where
                        + "the harness needs the grant's delivery queued on the saturated trampoline");
        boolean won = o.settle();
        try {
            r.check(won);
        } catch (AssertionError ex) {
            throw new AssertionError(
                    where + "outside " + (won ? "won" : "lost") + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Runs {@code action} inside nested library completions (semaphore grants, each completing on
     * this thread inside the previous one's dependent) once the trampoline queues a completion
     * instead of running it, which tells that its depth bound is reached.
     */
    private static void atSaturatedTrampoline(Runnable action, AtomicBoolean done, int depth) {
        if (depth > 1_000) {
            throw new AssertionError("the trampoline never queued a nested completion");
        }
        Semaphore s = new Semaphore(0);
        CompletableFuture<SemaphorePermit> probe = s.acquire();
        AtomicBoolean ran = new AtomicBoolean();
        probe.thenAccept(
                p -> {
                    ran.set(true);
                    if (!done.get()) {
                        atSaturatedTrampoline(action, done, depth + 1);
                    }
                });
        s.addPermits(1);
        if (!ran.get() && !done.get()) {
            done.set(true);
            action.run(); // the probe's completion is queued: so will the grant's be
        }
    }

    /**
     * {@code obtrudeValue}/{@code obtrudeException} on the pending future throw {@link
     * UnsupportedOperationException} and leave the wait untouched: a later grant completes it with
     * its real result.
     */
    static void obtrudeUnsupported(Case c) throws Exception {
        Round r = c.start().get();
        CompletableFuture<Object> f = raw(r.future());
        assertFalse(f.isDone(), c + ": the wait must be pending");
        assertThrows(
                UnsupportedOperationException.class,
                () -> f.obtrudeValue(r.outsideValue()),
                c + "");
        assertThrows(
                UnsupportedOperationException.class,
                () -> f.obtrudeException(new Marker()),
                c + "");
        assertFalse(f.isDone(), c + ": obtrude must leave the wait pending");
        r.grant();
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | CancellationException ex) {
            fail(c + ": the granted wait failed: " + ex, ex);
        }
        r.check(false);
    }
}
