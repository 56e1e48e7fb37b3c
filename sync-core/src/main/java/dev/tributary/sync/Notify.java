package dev.tributary.sync;

import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.ShortLock;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Notifies one waiting task, or all of them, of an event: tokio's {@code Notify}. It carries no
 * data; it tells a waiter to go and look (at a queue, a flag, a resource).
 *
 * <p>A {@code Notify} can be thought of as a semaphore that holds at most one permit. {@link
 * #notified()} creates a {@link Notified} handle; its {@link Notified#future() future()} (or {@link
 * Notified#blockingAwait() blockingAwait()}) waits for the permit and consumes it. {@link
 * #notifyOne()} hands the permit to the oldest waiter, or stores it if nobody waits.
 *
 * <ul>
 *   <li><b>Stored permit</b>: at most one. {@code notifyOne()} (or {@link #notifyLast()}) with no
 *       registered waiter stores it; the next wait completes at once and consumes it; further
 *       {@code notifyOne()} calls while it is stored change nothing.
 *   <li><b>Registration</b>: a {@code Notified} receives {@code notifyOne()} only once it is
 *       registered: by {@link Notified#enable()}, {@link Notified#future()} or a blocking wait.
 *       {@link #notifyWaiters()} reaches every {@code Notified} created before the call, registered
 *       or not, and stores no permit.
 *   <li><b>Fairness</b>: {@code notifyOne()} wakes the oldest registered waiter (FIFO), {@code
 *       notifyLast()} the newest (LIFO).
 *   <li><b>Cancellation</b>: cancelling a wait loses only its place in the queue. A one-shot
 *       notification ({@code notifyOne}/{@code notifyLast}) that reaches a wait which is then
 *       cancelled, or a {@code Notified} closed without having delivered it, is passed on to the
 *       next waiter or, if there is none, becomes the stored permit again: it is never lost and
 *       never delivered twice.
 *   <li><b>Closing</b>: a {@code Notify} has no closed state; {@link Notified} handles are {@link
 *       AutoCloseable} (closing one withdraws it).
 * </ul>
 *
 * <p>The typical pattern, for a consumer that must not miss an event published between checking its
 * condition and waiting: create (and, with several consumers, {@linkplain Notified#enable()
 * enable}) the {@code Notified} first, then check, then wait:
 *
 * <pre>{@code
 * for (;;) {
 *     try (Notified n = notify.notified()) {
 *         n.enable();
 *         Job job = queue.poll();
 *         if (job != null) {
 *             return job;
 *         }
 *         n.blockingAwait();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before {@code notifyOne()}, {@code
 * notifyLast()} or {@code notifyWaiters()} happen-before actions after a wait that this call
 * completed (directly, or through the stored permit).
 *
 * <p>Methods of {@code Notify} are thread-safe; a {@link Notified} is used by one thread at a time.
 */
public final class Notify {

    /*
     * Implementation overview
     *
     * Ported from tokio's sync/notify.rs, with the waiter core's Waiter/WaiterList/FireChain in
     * place of tokio's intrusive list and wakers.
     *
     * State. One volatile long state = calls << 2 | {EMPTY, WAITING, NOTIFIED}, where calls counts
     * notifyWaiters() invocations. EMPTY: no permit, no registered waiter. WAITING: the waiter
     * list is non-empty (and no permit is stored). NOTIFIED: the one stored permit.
     *
     * Invariants. (1) WAITING iff the list is non-empty; WAITING is set and cleared only under
     * lock. (2) calls changes only under lock. (3) WAITING and NOTIFIED exclude each other: a
     * registration that finds NOTIFIED consumes it instead of queueing, and a notification that
     * finds WAITING claims a waiter instead of storing. Hence the lock-free transitions are only
     * EMPTY/NOTIFIED -> NOTIFIED (notify fast path) and NOTIFIED -> EMPTY (consume fast path);
     * while WAITING, only lock holders write state.
     *
     * Notified handles record calls at creation; a registration that sees a different count is
     * complete at once (notifyWaiters happened after creation), which is how notifyWaiters reaches
     * handles that were never registered.
     *
     * Notification. notifyOne/notifyLast CAS EMPTY|NOTIFIED -> NOTIFIED without the lock; on
     * WAITING they lock, unlink the first (last) waiter and tryClaim() it; a waiter whose claim
     * fails was cancelled concurrently, so the next one is tried, and the permit is stored if the
     * list runs dry. The claimed waiter records the kind of notification (ONE_FIFO, ONE_LIFO, ALL)
     * and fires after unlock. notifyWaiters claims every listed waiter, bumps calls and clears
     * WAITING in one CAS (a stored permit survives it), then fires them.
     *
     * Cancellation. A waiter cancelled before any claim unlinks itself (withdraw()) and clears
     * WAITING if the list empties. A claimed waiter whose future was completed from outside
     * before the claim's completion landed reports undelivered(): a one-shot notification is then
     * re-issued with the same strategy (next waiter, else the stored permit); an ALL notification
     * is simply dropped (it stores nothing anyway). A Notified that is closed while holding a
     * one-shot notification that nobody observed (registered by enable(), completed, never
     * queried) re-issues it likewise (see Notified.close()).
     *
     * Linearization points. Notify fast path: the CAS. Slow notifications: the successful
     * tryClaim under the lock, or the CAS that stores the permit. Registration: the consuming CAS
     * or the link under the lock. Caveat, inherited from the waiter core (tokio likewise wakes
     * after unlocking): a claimed waiter's future completes only after the lock is released, so
     * notifications linearize at their claims, not at the completions. A concurrent notifyOne can
     * find the queue empty and store the permit while the chosen future is still completing, and
     * an external cancel() that lands in that window still wins; the notification is then
     * re-issued, as if the cancel had come first. Counts are never affected: every one-shot
     * notification ends up delivered exactly once, stored, or coalesced into a permit that was
     * already stored.
     *
     * Progress. notify fast path and permit consumption are lock-free; everything else holds a
     * ReentrantLock for O(waiters woken) steps and never runs user code under it.
     *
     * Guarded by NotifyLincheckTest (model checking against a sequential model, with
     * cancellation racing claims and notifyWaiters racing registration) and NotifyRaceTest
     * (cancel, close, timeout and interrupt racing notifyOne/notifyLast, counted exactly).
     */

    private static final long EMPTY = 0L;
    private static final long WAITING = 1L;
    private static final long NOTIFIED = 2L;
    private static final long STATE_MASK = 3L;
    private static final int CALLS_SHIFT = 2;
    private static final long ONE_CALL = 1L << CALLS_SHIFT;

    /** Kind of notification a claimed waiter received: none yet. */
    static final int NONE = 0;

    /** Kind: from {@code notifyOne()}; passed on (FIFO) if not delivered. */
    static final int ONE_FIFO = 1;

    /** Kind: from {@code notifyLast()}; passed on (LIFO) if not delivered. */
    static final int ONE_LIFO = 2;

    /** Kind: from {@code notifyWaiters()}; never passed on. */
    static final int ALL = 3;

    /** calls &lt;&lt; 2 | EMPTY/WAITING/NOTIFIED; see the implementation overview. */
    private volatile long state;

    private final ShortLock lock = new ShortLock();

    /** Registered waiters, oldest first; guarded by {@code lock}. */
    private final WaiterList waiters = new WaiterList();

    /** Creates a {@code Notify} with no stored permit. */
    public Notify() {}

    /**
     * Creates a handle that waits for a notification. It records the number of {@link
     * #notifyWaiters()} calls so far, so it receives every later {@code notifyWaiters()} even
     * before it is registered; it receives {@link #notifyOne()} and {@link #notifyLast()} (or the
     * stored permit) only once registered by {@link Notified#enable()}, {@link Notified#future()}
     * or a blocking wait. Creating it takes no lock and allocates only the handle.
     *
     * @return a new, unregistered handle; close it (try-with-resources) if it may hold a
     *     notification that it will not deliver
     */
    public Notified notified() {
        return new Notified(this, state >>> CALLS_SHIFT); // acquire; pairs with the calls CAS
    }

    /**
     * Wakes the oldest registered waiter, or, if none is registered, stores the permit so that the
     * next wait completes at once. At most one permit is stored: calling this repeatedly with
     * nobody waiting stores one. Never blocks; takes the lock only when waiters are registered.
     *
     * <p>The waiter's future completes on the calling thread (trampolined), after the internal lock
     * is released; a parked waiter is unparked.
     */
    public void notifyOne() {
        notify(ONE_FIFO);
    }

    /**
     * Wakes the most recently registered waiter, or, if none is registered, stores the permit: as
     * {@link #notifyOne()} but LIFO.
     */
    public void notifyLast() {
        notify(ONE_LIFO);
    }

    /**
     * Wakes every registered waiter and completes every {@link Notified} created before this call,
     * whether registered or not. Stores no permit, and leaves a stored permit in place. Handles
     * created after this call are not affected.
     *
     * <p>The futures complete on the calling thread (trampolined) after the internal lock is
     * released, oldest first.
     */
    public void notifyWaiters() {
        FireChain chain = new FireChain();
        lock.lock();
        try {
            for (Waiter<?> x; (x = waiters.pollFirst()) != null; ) {
                NotifyWaiter w = (NotifyWaiter) x;
                if (w.tryClaim()) {
                    w.kind = ALL;
                    chain.add(w);
                }
            }
            for (; ; ) {
                long s = state;
                long next = s + ONE_CALL;
                if ((s & STATE_MASK) == WAITING) {
                    next &= ~STATE_MASK; // the list is empty now
                }
                // release; pairs with the acquire reads of calls in notified() and registration
                if (STATE.compareAndSet(this, s, next)) {
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
    }

    /** notifyOne/notifyLast, and the re-issue of an undelivered one-shot notification. */
    void notify(int kind) {
        for (; ; ) {
            long s = state;
            if ((s & STATE_MASK) == WAITING) {
                break;
            }
            // NOTIFIED -> NOTIFIED is intended: the CAS is the release that the consumer's CAS
            // acquires.
            if (STATE.compareAndSet(this, s, (s & ~STATE_MASK) | NOTIFIED)) {
                return;
            }
        }
        FireChain chain = new FireChain();
        lock.lock();
        try {
            for (; ; ) {
                long s = state;
                if ((s & STATE_MASK) != WAITING) {
                    // The list emptied meanwhile (cancellations): store the permit.
                    if (STATE.compareAndSet(this, s, (s & ~STATE_MASK) | NOTIFIED)) {
                        break;
                    }
                    continue;
                }
                Waiter<?> x = kind == ONE_LIFO ? waiters.pollLast() : waiters.pollFirst();
                if (waiters.isEmpty()) {
                    // Only lock holders write state while WAITING (invariant 3).
                    state = s & ~STATE_MASK;
                }
                NotifyWaiter w = (NotifyWaiter) x;
                if (w.tryClaim()) {
                    w.kind = kind;
                    chain.add(w);
                    break;
                }
                // Cancelled concurrently; its withdraw() finds it unlinked. Try the next one.
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
    }

    /**
     * Completes a registration without queueing if possible: {@code notifyWaiters()} was called
     * since the handle was created, or the stored permit can be consumed. Lock-free.
     *
     * @param calls the handle's recorded {@code notifyWaiters()} count
     * @return true if the handle is notified
     */
    boolean tryComplete(long calls) {
        for (; ; ) {
            long s = state; // acquire; pairs with the notify and calls CASes
            if ((s >>> CALLS_SHIFT) != calls) {
                return true;
            }
            if ((s & STATE_MASK) != NOTIFIED) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s & ~STATE_MASK)) {
                return true;
            }
        }
    }

    /**
     * Returns true if {@code notifyWaiters()} was called since a handle recorded {@code calls}.
     *
     * @param calls the handle's recorded count
     * @return whether a later {@code notifyWaiters()} reached the handle
     */
    boolean notifiedAllSince(long calls) {
        return (state >>> CALLS_SHIFT) != calls;
    }

    /**
     * Registers {@code w}, unless the handle turns out to be complete (see {@link
     * #tryComplete(long)}), under the lock.
     *
     * @param w a fresh waiter
     * @param calls the handle's recorded {@code notifyWaiters()} count
     * @return true if {@code w} is queued, false if the handle is notified (and {@code w} unused)
     */
    boolean register(NotifyWaiter w, long calls) {
        lock.lock();
        try {
            for (; ; ) {
                long s = state;
                if ((s >>> CALLS_SHIFT) != calls) {
                    return false;
                }
                long st = s & STATE_MASK;
                if (st == NOTIFIED) {
                    if (STATE.compareAndSet(this, s, s & ~STATE_MASK)) {
                        return false;
                    }
                    continue;
                }
                if (st == EMPTY && !STATE.compareAndSet(this, s, s | WAITING)) {
                    continue; // a fast-path notify stored the permit meanwhile
                }
                waiters.addLast(w);
                return true;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Unlinks a cancelled waiter; clears WAITING if it was the last. */
    void withdraw(NotifyWaiter w) {
        lock.lock();
        try {
            if (waiters.remove(w) && waiters.isEmpty()) {
                state = state & ~STATE_MASK; // WAITING -> EMPTY; lock holders only (invariant 3)
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns true if the permit is stored. For tests and monitoring, not for synchronization
     * control.
     *
     * @return whether the next registration would consume a stored permit
     */
    boolean hasStoredPermit() {
        return (state & STATE_MASK) == NOTIFIED;
    }

    /**
     * Creates a waiter for a {@link Notified} handle.
     *
     * @param blocking true to park the current thread, false for a future
     * @return the waiter
     */
    NotifyWaiter newWaiter(boolean blocking) {
        return new NotifyWaiter(this, blocking);
    }

    @Override
    public String toString() {
        long s = state;
        long st = s & STATE_MASK;
        return "Notify["
                + (st == NOTIFIED ? "permit stored" : st == WAITING ? "waiters" : "idle")
                + ", notifyWaiters calls="
                + (s >>> CALLS_SHIFT)
                + "]";
    }

    /** One registration of a {@link Notified}: a future or a parked thread. */
    static final class NotifyWaiter extends Waiter<Void> {
        private final Notify owner;

        /**
         * The notification received: {@link #NONE} until claimed. Written by the claiming owner
         * under its lock before firing; read after the completion is observed (the future's
         * completion or the waiter's fired flag orders it).
         */
        int kind = NONE;

        NotifyWaiter(Notify owner, boolean blocking) {
            super(blocking);
            this.owner = owner;
        }

        /** Returns true if a one-shot notification (notifyOne/notifyLast) claimed this waiter. */
        boolean holdsOneShot() {
            return kind == ONE_FIFO || kind == ONE_LIFO;
        }

        /** Re-issues a one-shot notification that could not be delivered. */
        void passOn() {
            if (holdsOneShot()) {
                owner.notify(kind);
            }
        }

        @Override
        protected void undelivered(Void v) {
            passOn();
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
            STATE = MethodHandles.lookup().findVarHandle(Notify.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
