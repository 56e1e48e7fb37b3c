package dev.tributary.sync.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The waiter core: a counting semaphore that grants several permits per acquisition, fairly (FIFO),
 * with a lock-free fast path. Ported from tokio's {@code sync/batch_semaphore.rs}; it sits under
 * {@code Semaphore}, {@code Mutex} (1 permit), {@code RwLock} (a reader takes 1 of {@code
 * maxReaders}, a writer all of them), {@code OnceCell} and the bounded mpsc channel's capacity
 * ({@code MpscCapacity.Bounded}: one permit per slot, returned by the receiver when it takes the
 * message).
 *
 * <h2>Implementation overview</h2>
 *
 * <p><b>State.</b> One volatile {@code long state = generation << 32 | permits << 2 | WAITERS_BIT |
 * CLOSED_BIT} (bits 32..63, 2..31, 1, 0). {@code permits} is the number of free permits; {@code
 * WAITERS_BIT} is set exactly while the waiter queue is non-empty; {@code CLOSED_BIT} is set once,
 * by {@link #close()}. {@code generation} stays 0 unless the core is <em>stamped</em> (a {@code
 * Mutex}'s): then every completed acquisition adds one to it, in the CAS that takes the permit or,
 * for a queued waiter, under the lock just before its grant is built, so that while a caller holds
 * the single permit the generation names that hold and {@link #releaseHold(int)} can release it
 * exactly once without a flag of its own.
 *
 * <p><b>Invariants.</b> (1) {@code WAITERS_BIT} is only set or cleared under {@code lock}, and it
 * is set iff the queue is non-empty. (2) While {@code WAITERS_BIT} is set, {@code permits == 0}:
 * every release hands its permits to queued waiters first, and a waiter enqueues only after taking
 * whatever was free. (3) Every permit is in exactly one place: free in {@code state}, assigned to a
 * queued waiter ({@code needed - remaining}), or held by a caller. (4) Only the head waiter can
 * hold a partial assignment (FIFO: a large request at the head blocks later small ones).
 *
 * <p><b>Fast paths</b> (no lock): acquire CASes {@code permits} down when {@code WAITERS_BIT} is
 * clear and enough permits are free; release CASes {@code permits} up when {@code WAITERS_BIT} is
 * clear. By (1) and (2) a fast release can never miss a queued waiter: a waiter becomes visible
 * (WAITERS_BIT set) in the same CAS that observed the permits it could not get.
 *
 * <p><b>Slow paths</b> (under {@code lock}): an acquirer that cannot be served takes what is free,
 * sets {@code WAITERS_BIT} in one CAS and links its waiter with the remainder. A release with
 * {@code WAITERS_BIT} set assigns permits to the head waiters in order; each fully served waiter is
 * unlinked and claimed ({@link Waiter#tryClaim()}); if the claim fails the waiter was cancelled
 * concurrently, and its whole assignment goes back into the pool being distributed. When the queue
 * empties, the leftover permits are added and {@code WAITERS_BIT} cleared in one CAS. Claimed
 * waiters fire after the lock is released, through the {@link Trampoline}.
 *
 * <p><b>Cancellation.</b> A future completed from outside, an interrupt or a timeout wins {@link
 * Waiter#tryCancel()}; the canceller then takes the lock and, if the waiter is still linked,
 * unlinks it and redistributes its partial assignment (which may wake the next waiters). A waiter
 * that was claimed first but whose future was completed from outside before the claim's completion
 * landed gives its permits back through {@link Waiter#undelivered(Object)}. Either way no permit
 * leaks.
 *
 * <p><b>Linearization points.</b> Fast acquire/release: the successful CAS. Slow acquire: the
 * successful {@code tryClaim} under the lock (or the enqueuing CAS when it took everything).
 * Cancellation: the successful {@code tryCancel}. Close: the CAS that sets {@code CLOSED_BIT}.
 *
 * <p><b>Progress.</b> Fast paths are lock-free; slow paths hold a {@link ReentrantLock} for O(woken
 * waiters) steps and never run user code under it.
 *
 * <p><b>Access modes.</b> Every decision is a CAS on the one word {@code state}, so no sleep/wake
 * re-check spans two variables and acquire/release would suffice: a release's CAS publishes the
 * permits (and whatever the releaser wrote before) to the acquirer whose CAS takes them. The queue
 * and the assignments ({@code remaining}) are guarded by {@code lock}; a waiter's outcome reaches
 * it through {@link Waiter#fire()} (release) and {@link Waiter#isFired()} or the future's
 * completion (acquire).
 *
 * <p>Guarded by {@code BatchSemaphoreLincheckTest} (model checking, with cancellation), {@code
 * SemaphoreLincheckTest} and {@code SemaphoreRaceTest}.
 */
public final class BatchSemaphore {

    /**
     * The largest number of permits a semaphore can hold, as in tokio ({@code usize::MAX >> 3}
     * there).
     */
    public static final int MAX_PERMITS = Integer.MAX_VALUE >>> 3;

    /** {@link #tryAcquire(int)} result: the permits were taken. */
    public static final int TRY_ACQUIRED = 0;

    /** {@link #tryAcquire(int)} result: not enough free permits, or someone is queued. */
    public static final int TRY_NO_PERMITS = 1;

    /** {@link #tryAcquire(int)} result: the semaphore is closed. */
    public static final int TRY_CLOSED = 2;

    /** enqueue result: the waiter was linked (a try result otherwise). */
    private static final int ENQUEUED = 3;

    private static final long CLOSED_BIT = 1L;
    private static final long WAITERS_BIT = 2L;

    /** The permits field, bits 2..31 (MAX_PERMITS needs 28 of them). */
    private static final long PERMITS_MASK = 0xFFFF_FFFCL;

    private static final int GEN_SHIFT = 32;

    /** One step of the generation, bits 32..63 (wrapping). */
    private static final long GEN_ONE = 1L << GEN_SHIFT;

    private static final int SHIFT = 2;

    /** permits &lt;&lt; 2 | WAITERS_BIT | CLOSED_BIT; see the implementation overview. */
    private volatile long state;

    private final ShortLock lock = new ShortLock();

    /** Guarded by {@code lock}. */
    private final WaiterList waiters = new WaiterList();

    private final Supplier<? extends RuntimeException> closedError;

    /** Null, or run after a release into a closed core (see the three-argument constructor). */
    private final Runnable afterReleaseWhenClosed;

    /** {@link #GEN_ONE} for a stamped core, else 0: what each completed acquisition adds. */
    private final long genStep;

    /**
     * Creates a semaphore core.
     *
     * @param permits the initial permits, {@code 0..MAX_PERMITS}
     * @param closedError makes the exception each waiter receives when the core is closed
     */
    public BatchSemaphore(int permits, Supplier<? extends RuntimeException> closedError) {
        this(permits, closedError, null);
    }

    /**
     * Creates a semaphore core that runs {@code afterReleaseWhenClosed} after every release that
     * returns permits to a closed core, including a grant handed back by a cancelled waiter (the
     * bounded mpsc channel wakes its receiver there once every slot is back).
     *
     * @param permits the initial permits, {@code 0..MAX_PERMITS}
     * @param closedError makes the exception each waiter receives when the core is closed
     * @param afterReleaseWhenClosed run with no lock held; null for none
     */
    public BatchSemaphore(
            int permits,
            Supplier<? extends RuntimeException> closedError,
            Runnable afterReleaseWhenClosed) {
        this(permits, closedError, afterReleaseWhenClosed, false);
    }

    private BatchSemaphore(
            int permits,
            Supplier<? extends RuntimeException> closedError,
            Runnable afterReleaseWhenClosed,
            boolean stamped) {
        checkPermits(permits, "permits");
        this.closedError = closedError;
        this.afterReleaseWhenClosed = afterReleaseWhenClosed;
        this.genStep = stamped ? GEN_ONE : 0L;
        this.state = (long) permits << SHIFT;
    }

    /**
     * Creates a stamped core of one permit, for an exclusive lock whose holds are released through
     * {@link #releaseHold(int)}: each completed acquisition advances {@link #generation()}.
     *
     * @param closedError makes the exception each waiter receives when the core is closed
     * @return a core with one free permit
     */
    public static BatchSemaphore stampedExclusive(
            Supplier<? extends RuntimeException> closedError) {
        return new BatchSemaphore(1, closedError, null, true);
    }

    private static long permitsOf(long s) {
        return (s & PERMITS_MASK) >>> SHIFT;
    }

    /**
     * Returns the generation of a stamped core: the number of acquisitions completed so far, mod
     * 2<sup>32</sup> (always 0 for an unstamped core). While the caller holds the single permit of
     * a {@link #stampedExclusive stamped exclusive} core the value cannot change, so a grant built
     * then ({@code onGrant}, or right after a successful {@link #tryAcquire(int)}) reads the stamp
     * of its own hold.
     *
     * @return the generation
     */
    public int generation() {
        return (int) (state >>> GEN_SHIFT);
    }

    /**
     * Releases the hold stamped {@code gen} of a {@link #stampedExclusive stamped exclusive} core,
     * exactly once: the permit goes to the first queued waiter, or becomes free. Racing calls with
     * the same stamp release once; every other call, and any call after that hold ended, returns
     * false and changes nothing. (A stamp repeats after 2<sup>32</sup> acquisitions; a call with a
     * stamp that old is not detected.)
     *
     * @param gen the {@link #generation()} read while the hold began
     * @return true if this call released the hold
     */
    public boolean releaseHold(int gen) {
        for (; ; ) {
            long s = state;
            if ((int) (s >>> GEN_SHIFT) != gen || (s & PERMITS_MASK) != 0) {
                return false; // that hold already ended: the permit is free or held again
            }
            if ((s & WAITERS_BIT) == 0) {
                if (STATE.compareAndSet(this, s, s + (1L << SHIFT))) { // release, as release(1)
                    return true;
                }
                continue;
            }
            FireChain chain = new FireChain();
            lock.lock();
            try {
                long t = state;
                if ((int) (t >>> GEN_SHIFT) != gen || (t & PERMITS_MASK) != 0) {
                    return false;
                }
                if ((t & WAITERS_BIT) == 0) {
                    continue; // the queue emptied meanwhile: take the fast path again
                }
                assignLocked(1, chain);
            } finally {
                lock.unlock();
            }
            chain.fireAll();
            return true;
        }
    }

    /**
     * Checks a permit count argument.
     *
     * @param n the count
     * @param what the argument's name, for the message
     * @throws IllegalArgumentException if {@code n} is negative or above {@link #MAX_PERMITS}
     */
    public static void checkPermits(long n, String what) {
        if (n < 0 || n > MAX_PERMITS) {
            throw new IllegalArgumentException(
                    what + " must be between 0 and MAX_PERMITS (" + MAX_PERMITS + ") but was " + n);
        }
    }

    /** Returns the number of free permits (0 while anyone is queued). For monitoring. */
    public int availablePermits() {
        return (int) permitsOf(state);
    }

    /** Returns true once {@link #close()} was called. */
    public boolean isClosed() {
        return (state & CLOSED_BIT) != 0;
    }

    /** Returns true if any waiter is queued. For monitoring and tests. */
    public boolean hasQueuedWaiters() {
        return (state & WAITERS_BIT) != 0;
    }

    /**
     * Returns the number of queued waiters, read under the lock (a snapshot: it may be stale once
     * returned). For monitoring; 0 without taking the lock when nobody is queued.
     *
     * @return the number of acquisitions waiting
     */
    public int waiterCount() {
        if ((state & WAITERS_BIT) == 0) {
            return 0;
        }
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the exception a closed core reports. */
    public RuntimeException closedError() {
        return closedError.get();
    }

    /**
     * Takes {@code n} permits without waiting. Fails while anyone is queued (no barging).
     *
     * @param n permits, {@code 0..MAX_PERMITS} (checked by the caller)
     * @return {@link #TRY_ACQUIRED}, {@link #TRY_NO_PERMITS} or {@link #TRY_CLOSED}
     */
    public int tryAcquire(int n) {
        long need = (long) n << SHIFT;
        for (; ; ) {
            long s = state;
            if ((s & CLOSED_BIT) != 0) {
                return TRY_CLOSED;
            }
            if (n == 0) {
                return TRY_ACQUIRED;
            }
            if ((s & WAITERS_BIT) != 0 || permitsOf(s) < n) {
                return TRY_NO_PERMITS;
            }
            if (STATE.compareAndSet(this, s, s - need + genStep)) {
                return TRY_ACQUIRED;
            }
        }
    }

    /**
     * Acquires {@code n} permits, waiting in FIFO order. The returned future is already complete
     * when no wait was needed; otherwise completing it from outside withdraws the request (permits
     * assigned so far go back).
     *
     * @param n permits, {@code 0..MAX_PERMITS} (checked by the caller)
     * @param onGrant builds the value the future completes with, from the number of permits granted
     * @param <R> the value type
     * @return a future of the grant, failed with the closed error if the core is or gets closed
     */
    public <R> CompletableFuture<R> acquire(int n, IntFunction<? extends R> onGrant) {
        int r = tryAcquire(n);
        if (r == TRY_ACQUIRED) {
            return StackSafeFuture.completed(onGrant.apply(n));
        } else if (r == TRY_CLOSED) {
            return StackSafeFuture.failed(closedError.get());
        }
        Acquire<R> w = new Acquire<>(this, n, onGrant, false);
        r = enqueue(w);
        if (r == ENQUEUED) {
            return w.future();
        } else if (r == TRY_ACQUIRED) {
            return StackSafeFuture.completed(onGrant.apply(n));
        } else {
            return StackSafeFuture.failed(closedError.get());
        }
    }

    /**
     * Acquires {@code n} permits, parking the current thread in FIFO order.
     *
     * @param n permits, {@code 0..MAX_PERMITS} (checked by the caller)
     * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@code Long.MAX_VALUE} for none
     * @param onGrant builds the returned value
     * @param <R> the value type
     * @return the grant, or null if the deadline passed first (nothing taken)
     * @throws InterruptedException if interrupted while waiting (nothing taken)
     * @throws RuntimeException the closed error, if the core is or gets closed
     */
    public <R> R acquireBlocking(int n, long deadlineNanos, IntFunction<? extends R> onGrant)
            throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        int r = tryAcquire(n);
        if (r == TRY_NO_PERMITS) {
            if (deadlineNanos != Long.MAX_VALUE && deadlineNanos - System.nanoTime() <= 0L) {
                return null;
            }
            Acquire<R> w = new Acquire<>(this, n, onGrant, true);
            r = enqueue(w);
            if (r == ENQUEUED) {
                return w.awaitBlocking(deadlineNanos, null);
            }
        }
        if (r == TRY_ACQUIRED) {
            return onGrant.apply(n);
        }
        throw closedError.get();
    }

    private int enqueue(Acquire<?> w) {
        int n = w.needed;
        lock.lock();
        try {
            for (; ; ) {
                long s = state;
                if ((s & CLOSED_BIT) != 0) {
                    return TRY_CLOSED;
                }
                long free = permitsOf(s); // 0 whenever WAITERS_BIT is set (invariant 2)
                if ((s & WAITERS_BIT) == 0 && free >= n) {
                    if (STATE.compareAndSet(this, s, s - ((long) n << SHIFT) + genStep)) {
                        return TRY_ACQUIRED;
                    }
                    continue;
                }
                long take = Math.min(free, n);
                if (STATE.compareAndSet(this, s, (s - (take << SHIFT)) | WAITERS_BIT)) {
                    w.remaining = n - (int) take;
                    waiters.addLast(w);
                    return ENQUEUED;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns {@code n} permits: hands them to queued waiters in FIFO order, the rest become free.
     * Never fails (a release after close still returns the permits).
     *
     * @param n permits, non-negative
     */
    public void release(int n) {
        release(n, false);
    }

    /**
     * Adds {@code n} new permits.
     *
     * @param n permits, non-negative
     * @throws IllegalArgumentException if the free permits would exceed {@link #MAX_PERMITS};
     *     nothing is added
     */
    public void addPermits(int n) {
        release(n, true);
    }

    private void release(int n, boolean checked) {
        if (n == 0) {
            return;
        }
        long add = (long) n << SHIFT;
        for (; ; ) {
            long s = state;
            if ((s & WAITERS_BIT) == 0) {
                long free = permitsOf(s);
                if (checked && free + n > MAX_PERMITS) {
                    throw new IllegalArgumentException(
                            "permits after adding must not exceed MAX_PERMITS ("
                                    + MAX_PERMITS
                                    + ") but "
                                    + free
                                    + " + "
                                    + n
                                    + " = "
                                    + (free + n));
                }
                if (STATE.compareAndSet(
                        this, s, s + add)) { // release; pairs with the CAS of acquirers
                    if ((s & CLOSED_BIT) != 0 && afterReleaseWhenClosed != null) {
                        afterReleaseWhenClosed.run(); // closed: the queue is empty, so only here
                    }
                    return;
                }
                continue;
            }
            FireChain chain = new FireChain();
            lock.lock();
            try {
                if ((state & WAITERS_BIT) == 0) {
                    continue; // the queue emptied meanwhile: take the fast path again
                }
                assignLocked(n, chain);
            } finally {
                lock.unlock();
            }
            chain.fireAll();
            return;
        }
    }

    /**
     * Hands {@code permits} to the queued waiters in order; called under {@code lock}. Clears
     * WAITERS_BIT and frees the leftover when the queue empties.
     */
    private void assignLocked(long permits, FireChain chain) {
        long rem = permits;
        for (; ; ) {
            Acquire<?> w = (Acquire<?>) waiters.peekFirst();
            if (w == null) {
                break;
            }
            int give = (int) Math.min(rem, w.remaining);
            w.remaining -= give;
            rem -= give;
            if (w.remaining > 0) {
                break; // rem is 0: the head keeps its partial assignment and its place
            }
            waiters.remove(w);
            if (w.tryClaim()) {
                if (genStep != 0) {
                    STATE.getAndAdd(this, genStep); // before the grant reads its stamp
                }
                w.grant();
                chain.add(w);
            } else {
                rem += w.needed; // cancelled concurrently: its whole assignment goes back
            }
        }
        if (waiters.isEmpty()) {
            for (; ; ) {
                long s = state;
                if (STATE.compareAndSet(this, s, (s & ~WAITERS_BIT) + (rem << SHIFT))) {
                    break;
                }
            }
        }
    }

    /** Called by a waiter that won tryCancel: unlink it and give back what it was assigned. */
    void withdraw(Acquire<?> w) {
        FireChain chain = new FireChain();
        lock.lock();
        try {
            if (waiters.remove(w)) {
                assignLocked(w.needed - w.remaining, chain);
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
    }

    /**
     * Removes up to {@code n} free permits.
     *
     * @param n permits, non-negative
     * @return the number actually removed (saturating at the free count)
     */
    public int forgetPermits(int n) {
        for (; ; ) {
            long s = state;
            long take = Math.min(permitsOf(s), n);
            if (take == 0 || STATE.compareAndSet(this, s, s - (take << SHIFT))) {
                return (int) take;
            }
        }
    }

    /**
     * Closes the core: later acquisitions fail, queued waiters fail with the closed error, and
     * their partial assignments become free again. Releases still return permits. Idempotent.
     */
    public void close() {
        FireChain chain = new FireChain();
        lock.lock();
        try {
            long back = 0;
            for (Waiter<?> x; (x = waiters.pollFirst()) != null; ) {
                Acquire<?> w = (Acquire<?>) x;
                back += w.needed - w.remaining;
                if (w.tryClaim()) {
                    w.setFailure(closedError.get());
                    chain.add(w);
                }
            }
            for (; ; ) {
                long s = state;
                if (STATE.compareAndSet(
                        this, s, ((s | CLOSED_BIT) & ~WAITERS_BIT) + (back << SHIFT))) {
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
    }

    @Override
    public String toString() {
        long s = state;
        return "BatchSemaphore[permits="
                + permitsOf(s)
                + ((s & WAITERS_BIT) != 0 ? ", waiters" : "")
                + ((s & CLOSED_BIT) != 0 ? ", closed" : "")
                + "]";
    }

    /** A queued acquisition of {@code needed} permits. */
    static final class Acquire<R> extends Waiter<R> {
        final BatchSemaphore owner;
        final int needed;
        final IntFunction<? extends R> onGrant;

        /** Permits still to assign; guarded by the owner's lock. */
        int remaining;

        Acquire(
                BatchSemaphore owner,
                int needed,
                IntFunction<? extends R> onGrant,
                boolean blocking) {
            super(blocking);
            this.owner = owner;
            this.needed = needed;
            this.onGrant = onGrant;
        }

        void grant() {
            setValue(onGrant.apply(needed));
        }

        @Override
        protected void undelivered(R value) {
            owner.release(needed);
        }

        @Override
        protected void withdraw() {
            owner.withdraw(this);
        }
    }

    // VarHandle mechanics
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BatchSemaphore.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
