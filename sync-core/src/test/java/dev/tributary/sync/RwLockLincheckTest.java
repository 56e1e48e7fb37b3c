package dev.tributary.sync;

import static dev.tributary.sync.ModelChecks.op;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of {@link RwLock} with Lincheck: async and non-waiting read and write acquisition,
 * guard release, and cancellation of a queued read or write racing the release that grants it.
 *
 * <p>The lock allows two readers (a writer takes both permits) and holds a counter that every
 * writer increments when it releases. The test keeps the requests between operations, so a request
 * can wait across operations and the FIFO, write-preferring queue shows: {@code read} / {@code
 * write} start an async request ({@link Request#GRANTED} at once or {@link Request#QUEUED}); {@code
 * tryRead} / {@code tryWrite} take the lock only if it is free for them and nobody is queued
 * ({@link Read} with the counter seen, or {@code WOULD_BLOCK}); {@code release} closes the guard of
 * the oldest request holding the lock ({@link Released}); {@code dropNewest} cancels the future of
 * the newest queued request and, if a release granted it first, closes its guard at once, as
 * dropping an acquire future does in tokio.
 *
 * <p>What is observed, and why. A release claims the waiters it grants under the lock's internal
 * lock and completes their futures after unlocking (see {@code Waiter}); a cancel that lands in
 * between wins, and the claimed permits are handed back only when the releasing thread then fails
 * to complete the future. In that window the lock is held by a request that is already cancelled,
 * and a queued future is granted but not yet complete: both are visible to a concurrent {@code
 * tryRead}, and neither to a sequential execution. So, as in {@code NotifyLincheckTest}, grants are
 * settled at quiescence:
 *
 * <ul>
 *   <li>{@link Fifo} (no cancellation) checks linearizability against itself run sequentially; its
 *       {@code release} only closes guards whose grant it knows (taken at once or by a try), so its
 *       results never depend on when a future completes.
 *   <li>{@link Cancellation} adds {@code dropNewest} and lets {@code release} close any guard,
 *       async grants included; its random scenarios are checked by {@link Harness#quiescent()}, and
 *       three custom scenarios aim the drop at the release that grants the dropped request and
 *       check the state afterwards ({@code tryRead}, {@code tryWrite}, {@code releaseOldest} after
 *       the parallel part) against some sequential order.
 * </ul>
 *
 * <p>After each scenario, {@link Harness#quiescent()} checks the grants against the FIFO,
 * write-preferring rule: the queued requests that are granted form exactly the longest prefix of
 * the queue that fits beside the holders (a reader beside readers below the limit, a writer alone),
 * and a reader behind a waiting writer is not granted. It then releases the holders one at a time,
 * re-checking the rule after each release, until nothing is held: no request may be left pending (a
 * lost grant), and {@code tryWrite} must succeed (no permit leaked, no cancelled waiter left
 * holding the lock).
 *
 * <p>Checked to fail: a sequential specification whose {@code tryRead} barges past a queued writer
 * is caught by {@link #fifo()} within seconds.
 *
 * <p>Budget: about 26 s for the class on two busy cores (fifo 10 s, cancellation 16 s); run deeper
 * with, e.g., {@code -Dlincheck.iterations=50 -Dlincheck.invocations=2000}.
 */
@Timeout(300)
class RwLockLincheckTest {
    private static final int MAX_READERS = 2;

    /** The outcome of {@code read} and {@code write}. */
    public enum Request {
        /** The future was complete at once: the request holds the lock. */
        GRANTED,
        /** The future is pending: the request waits in the queue. */
        QUEUED
    }

    /** The outcome of {@code tryRead}. */
    public sealed interface ReadAttempt permits Read, ReadBlocked {}

    /**
     * {@code tryRead} took read access.
     *
     * @param value the counter seen under the read guard
     */
    public record Read(int value) implements ReadAttempt {}

    /** {@code tryRead} took nothing: a writer holds the lock, or it is full, or someone waits. */
    public enum ReadBlocked implements ReadAttempt {
        /** Nothing was taken. */
        WOULD_BLOCK
    }

    /** The outcome of {@code tryWrite}. */
    public enum WriteAttempt {
        /** Write access taken. */
        ACQUIRED,
        /** Somebody holds the lock or waits; nothing was taken. */
        WOULD_BLOCK
    }

    /** The outcome of {@code release}. */
    public enum Released {
        /** A read guard was closed. */
        READER,
        /** A write guard was closed (after incrementing the counter). */
        WRITER,
        /** No request (that this operation may release) held the lock. */
        NOTHING_HELD
    }

    /** One read or write request; the flags are guarded by the harness lock. */
    private static final class Req {
        final CompletableFuture<RwLockReadGuard<Integer>> read;
        final CompletableFuture<RwLockWriteGuard<Integer>> write;

        /** Granted when started (at once, or by a try): held until released, whatever runs. */
        final boolean grantedAtStart;

        /** Closed, or taken over by a drop. */
        boolean released;

        Req(
                CompletableFuture<RwLockReadGuard<Integer>> read,
                CompletableFuture<RwLockWriteGuard<Integer>> write) {
            this.read = read;
            this.write = write;
            this.grantedAtStart = future().isDone();
        }

        CompletableFuture<?> future() {
            return read != null ? read : write;
        }

        boolean granted() {
            CompletableFuture<?> f = future();
            return f.isDone() && !f.isCompletedExceptionally();
        }

        boolean held() {
            return !released && granted();
        }

        void close() {
            if (write != null) {
                RwLockWriteGuard<Integer> g = write.join();
                g.set(g.get() + 1);
                g.close();
            } else {
                read.join().close();
            }
        }
    }

    /**
     * The real lock plus the requests. The harness lock orders the bookkeeping with the
     * acquisitions: held while starting a request (so the list follows the lock's queue order) and
     * while choosing a request to release or drop; never while closing a guard or cancelling, so
     * grants run outside it.
     */
    abstract static class Harness {
        final RwLock<Integer> lock = RwLock.withMaxReaders(0, MAX_READERS);
        private final ReentrantLock harness = new ReentrantLock();

        /** Every request, oldest first. */
        private final List<Req> requests = new ArrayList<>();

        /** The requests queued when started and not dropped yet, newest first. */
        private final ArrayDeque<Req> queued = new ArrayDeque<>();

        private Request started(Req r) {
            requests.add(r);
            if (r.grantedAtStart) {
                return Request.GRANTED;
            }
            queued.push(r);
            return Request.QUEUED;
        }

        Request read0() {
            harness.lock();
            try {
                return started(new Req(lock.read(), null));
            } finally {
                harness.unlock();
            }
        }

        Request write0() {
            harness.lock();
            try {
                return started(new Req(null, lock.write()));
            } finally {
                harness.unlock();
            }
        }

        ReadAttempt tryRead0() {
            harness.lock();
            try {
                RwLockReadGuard<Integer> g = lock.tryRead();
                if (g == null) {
                    return ReadBlocked.WOULD_BLOCK;
                }
                requests.add(new Req(CompletableFuture.completedFuture(g), null));
                return new Read(g.get());
            } finally {
                harness.unlock();
            }
        }

        WriteAttempt tryWrite0() {
            harness.lock();
            try {
                RwLockWriteGuard<Integer> g = lock.tryWrite();
                if (g == null) {
                    return WriteAttempt.WOULD_BLOCK;
                }
                requests.add(new Req(null, CompletableFuture.completedFuture(g)));
                return WriteAttempt.ACQUIRED;
            } finally {
                harness.unlock();
            }
        }

        /** Closes the guard of the oldest request holding the lock, async grants included. */
        Released releaseOldest0() {
            Req r = null;
            harness.lock();
            try {
                for (Req x : requests) {
                    if (x.held()) {
                        x.released = true;
                        r = x;
                        break;
                    }
                }
            } finally {
                harness.unlock();
            }
            if (r == null) {
                return Released.NOTHING_HELD;
            }
            r.close();
            return r.write != null ? Released.WRITER : Released.READER;
        }

        /**
         * Closes the guard of request {@code i} (in creation order) if it was granted when it
         * started and is not released yet. Choosing and closing are atomic for that request (its
         * monitor), and only for it: other operations run concurrently with the close.
         */
        Released release0(int i) {
            Req r;
            harness.lock();
            try {
                r = i < requests.size() ? requests.get(i) : null;
            } finally {
                harness.unlock();
            }
            if (r == null || !r.grantedAtStart) {
                return Released.NOTHING_HELD;
            }
            synchronized (r) {
                if (r.released) {
                    return Released.NOTHING_HELD;
                }
                r.close();
                harness.lock();
                try {
                    r.released = true;
                } finally {
                    harness.unlock();
                }
            }
            return r.write != null ? Released.WRITER : Released.READER;
        }

        /** Cancels the newest queued request; closes its guard if the grant won the race. */
        void dropNewest0() {
            Req r;
            boolean owned;
            harness.lock();
            try {
                r = queued.poll();
                if (r == null) {
                    return;
                }
                owned = !r.released; // a release may have taken its grant already
                r.released = true; // never picked by a release from now on
            } finally {
                harness.unlock();
            }
            if (!r.future().cancel(false) && owned) {
                r.close();
            }
        }

        /**
         * After each scenario: the grants follow the FIFO, write-preferring rule, now and after
         * each release of a holder; in the end nothing is pending and the lock is free.
         */
        void quiescent() {
            do {
                checkFifo();
            } while (releaseOldest0() != Released.NOTHING_HELD);
            for (Req r : requests) {
                if (!r.future().isDone()) {
                    throw new IllegalStateException(
                            "a request is still pending with the lock released: " + lock);
                }
            }
            RwLockWriteGuard<Integer> g = lock.tryWrite();
            if (g == null) {
                throw new IllegalStateException(
                        "permits leaked (a cancelled waiter holds them?) or a waiter stranded: "
                                + lock);
            }
            g.close();
        }

        /**
         * Checks the current grants: the queued requests granted are exactly the longest prefix of
         * the queue that fits beside the holders.
         */
        private void checkFifo() {
            int readers = 0;
            boolean writer = false;
            List<Req> waiting = new ArrayList<>();
            for (Req r : requests) {
                if (r.grantedAtStart) {
                    if (!r.released) {
                        if (r.write != null) {
                            writer = true;
                        } else {
                            readers++;
                        }
                    }
                } else if (!r.released && !r.future().isCompletedExceptionally()) {
                    waiting.add(r); // queued when started, not dropped: granted or still waiting
                }
            }
            boolean fits = true;
            for (Req r : waiting) {
                fits =
                        fits
                                && (r.write != null
                                        ? !writer && readers == 0
                                        : !writer && readers < MAX_READERS);
                if (fits != r.granted()) {
                    throw new IllegalStateException(
                            (fits ? "not granted although it fits: " : "granted out of turn: ")
                                    + (r.write != null ? "writer" : "reader")
                                    + " with "
                                    + readers
                                    + " readers, writer "
                                    + writer
                                    + ", "
                                    + lock);
                }
                if (fits) {
                    if (r.write != null) {
                        writer = true;
                    } else {
                        readers++;
                    }
                }
            }
        }
    }

    /** Acquisition and release without cancellation, checked for linearizability. */
    public static class Fifo extends Harness {
        /** Creates the scenario's lock. */
        public Fifo() {}

        /**
         * {@link RwLock#read()}, kept for later operations.
         *
         * @return whether it was granted at once or queued
         */
        @Operation
        public Request read() {
            return read0();
        }

        /**
         * {@link RwLock#write()}, kept for later operations.
         *
         * @return whether it was granted at once or queued
         */
        @Operation
        public Request write() {
            return write0();
        }

        /**
         * {@link RwLock#tryRead()}; the guard is kept for a later {@code release}.
         *
         * @return the counter seen, or {@code WOULD_BLOCK}
         */
        @Operation
        public ReadAttempt tryRead() {
            return tryRead0();
        }

        /**
         * {@link RwLock#tryWrite()}; the guard is kept for a later {@code release}.
         *
         * @return whether write access was taken
         */
        @Operation
        public WriteAttempt tryWrite() {
            return tryWrite0();
        }

        /**
         * Closes the guard of request {@code i} (in creation order) if it was granted when it
         * started and is still held; a writer increments the counter first. Its grants to queued
         * requests happen here.
         *
         * @param i the request's index
         * @return which kind of guard was closed, or {@code NOTHING_HELD}
         */
        @Operation
        public Released release(@Param(gen = IntGen.class, conf = "0:3") int i) {
            return release0(i);
        }

        /** Grants follow the FIFO rule; nothing pending, nothing leaked. */
        @Validate
        public void validate() {
            quiescent();
        }
    }

    /**
     * Acquisition, release of any guard (async grants included) and drops of queued requests.
     * Random scenarios are checked at quiescence; the custom ones also observe the state after the
     * parallel part with the public methods that are not operations.
     */
    public static class Cancellation extends Harness {
        /** Creates the scenario's lock. */
        public Cancellation() {}

        /** {@link RwLock#read()}, kept for later operations. */
        @Operation
        public void read() {
            read0();
        }

        /** {@link RwLock#write()}, kept for later operations. */
        @Operation
        public void write() {
            write0();
        }

        /** {@link RwLock#tryRead()}; the guard is kept for a later {@code release}. */
        @Operation
        public void tryRead() {
            tryRead0();
        }

        /** Closes the guard of the oldest request holding the lock, async grants included. */
        @Operation
        public void release() {
            releaseOldest0();
        }

        /** Cancels the newest queued request; if the grant won, closes its guard at once. */
        @Operation
        public void dropNewest() {
            dropNewest0();
        }

        /**
         * Observer for custom scenarios: {@link RwLock#tryRead()}, kept.
         *
         * @return the counter seen, or {@code WOULD_BLOCK}
         */
        public ReadAttempt observeTryRead() {
            return tryRead0();
        }

        /**
         * Observer for custom scenarios: {@link RwLock#tryWrite()}, kept.
         *
         * @return whether write access was taken
         */
        public WriteAttempt observeTryWrite() {
            return tryWrite0();
        }

        /**
         * Observer for custom scenarios: the release of the oldest holder.
         *
         * @return which kind of guard was closed, or {@code NOTHING_HELD}
         */
        public Released observeRelease() {
            return releaseOldest0();
        }

        /** Grants follow the FIFO rule; nothing pending, nothing leaked. */
        @Validate
        public void validate() {
            quiescent();
        }
    }

    @Test
    void fifo() {
        ModelChecks.options(4, 80)
                .actorsBefore(2)
                .actorsAfter(1)
                // Write preference: a reader queues behind a writer while a reader holds the lock.
                .addCustomScenario(
                        scenario(
                                Fifo.class,
                                List.of(op("tryRead")),
                                List.of(
                                        List.of(op("write"), op("tryRead")),
                                        List.of(op("read"), op("release", 0))),
                                List.of(op("tryWrite"))))
                .check(Fifo.class);
    }

    @Test
    void cancellation() {
        ModelChecks.options(3, 80)
                .actorsBefore(2)
                .actorsAfter(1)
                // A queued reader dropped while the writer's release grants it.
                .addCustomScenario(
                        scenario(
                                Cancellation.class,
                                List.of(op("write"), op("read")),
                                List.of(List.of(op("release")), List.of(op("dropNewest"))),
                                List.of(op("observeTryRead"), op("observeTryWrite"))))
                // A queued writer dropped while the reader's release grants it: the reader queued
                // behind the writer (write preference) must then get the lock.
                .addCustomScenario(
                        scenario(
                                Cancellation.class,
                                List.of(op("read"), op("write"), op("read")),
                                List.of(
                                        List.of(op("release")),
                                        List.of(op("dropNewest"), op("dropNewest"))),
                                List.of(
                                        op("observeTryWrite"),
                                        op("observeRelease"),
                                        op("observeTryRead"))))
                // The writer dropped while the reader releases; a new reader queues meanwhile.
                .addCustomScenario(
                        scenario(
                                Cancellation.class,
                                List.of(op("read"), op("write")),
                                List.of(
                                        List.of(op("release"), op("release")),
                                        List.of(op("dropNewest")),
                                        List.of(op("read"))),
                                List.of(op("observeTryRead"), op("observeTryWrite"))))
                .check(Cancellation.class);
    }

    private static ExecutionScenario scenario(
            Class<?> type,
            List<ModelChecks.Op> init,
            List<List<ModelChecks.Op>> parallel,
            List<ModelChecks.Op> post) {
        return ModelChecks.scenario(type, "validate", init, parallel, post);
    }
}
