package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.ShortLock;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A thread-safe cell that is set once and can be awaited until then: tokio's {@code SetOnce}, an
 * event that carries a value (after Python's {@code asyncio.Event}).
 *
 * <ul>
 *   <li><b>Writers</b>: any number may call {@link #set(Object)}; exactly one succeeds, the others
 *       get {@link AlreadySetException} carrying their value.
 *   <li><b>Readers</b>: any number; {@link #get()} never waits, {@link #await()} and {@link
 *       #blockingAwait()} wait for the value. Every waiter receives the same value; none consumes
 *       it.
 *   <li><b>Values</b>: never null. An unset cell reads as null from {@link #get()}.
 *   <li><b>Waking</b>: {@code set} completes every waiter at once, in the order they started
 *       waiting.
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before a successful {@link
 * #set(Object)} happen-before actions after any read that observes the value ({@link #get()},
 * {@link #initialized()} returning true, the completion of {@link #await()}, the return of {@link
 * #blockingAwait()}).
 *
 * @param <T> the type of the value
 */
public final class SetOnce<T> {
    /*
     * Implementation overview (after tokio's sync/set_once.rs, which pairs a Mutex with Notify).
     *
     * `value` is volatile and written once, under `lock`. Waiters (futures or parked threads) are
     * linked in `waiters`, also under `lock`. await() checks `value` lock-free; if it is null it
     * re-checks under the lock and links its waiter there, so a set() either happened before the
     * re-check (the waiter is not linked and reads the value) or unlinks and claims the waiter after
     * it (no lost wake-up). set() writes the value, unlinks and claims every waiter, and fires them
     * after unlocking. A waiter cancelled first (tryCancel won) unlinks itself under the lock in
     * withdraw(); one claimed first but completed from outside before the delivery has nothing to
     * give back: the value stays in the cell (undelivered is a no-op), so waiting is cancel-safe.
     *
     * Linearization points: set, the write of `value` under the lock; await, the read of a
     * non-null `value`, or the claim by set(); a cancelled await, its successful tryCancel.
     */

    /** Null until set; written once, under {@code lock}. */
    private volatile T value;

    private final ShortLock lock = new ShortLock();

    /** Guarded by {@code lock}. */
    private final WaiterList waiters = new WaiterList();

    /** Creates an unset cell (tokio's {@code SetOnce::new}). */
    public SetOnce() {}

    private SetOnce(T value) {
        this.value = value;
    }

    /**
     * Creates a cell that is already set to {@code value} (tokio's {@code
     * SetOnce::new_with(Some(v))} and {@code From<T>}).
     *
     * @param value the value, non-null
     * @param <T> the type of the value
     * @return a set cell
     * @throws NullPointerException if {@code value} is null
     */
    public static <T> SetOnce<T> of(T value) {
        return new SetOnce<>(Objects.requireNonNull(value, "value is null"));
    }

    /**
     * Returns the value, or null if the cell is not set yet.
     *
     * @return the value, or null
     */
    public T get() {
        return value;
    }

    /**
     * Returns true if the cell is set.
     *
     * @return whether the cell holds a value
     */
    public boolean initialized() {
        return value != null;
    }

    /**
     * Sets the value, if no value was set before, and completes every waiter with it.
     *
     * @param value the value, non-null
     * @throws AlreadySetException if the cell was already set; it carries {@code value}
     * @throws NullPointerException if {@code value} is null
     */
    public void set(T value) {
        Objects.requireNonNull(value, "value is null");
        if (this.value != null) {
            throw new AlreadySetException(value);
        }
        FireChain chain = new FireChain();
        lock.lock();
        try {
            if (this.value != null) {
                throw new AlreadySetException(value);
            }
            this.value = value; // release; pairs with the volatile reads of value
            for (Waiter<?> x; (x = waiters.pollFirst()) != null; ) {
                @SuppressWarnings("unchecked")
                Await<T> w = (Await<T>) x;
                if (w.tryClaim()) {
                    w.setValue(value);
                    chain.add(w);
                } // else cancelled concurrently: its withdraw() finds it unlinked
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
    }

    /**
     * Waits for the value: tokio's {@code SetOnce::wait} ({@code wait} is taken by {@link
     * Object#wait()}). Completes at once if the cell is set.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally}, {@code
     *       orTimeout}) withdraws this waiter and consumes nothing; the value, once set, stays in
     *       the cell for {@link #get()} and every other waiter. Cancelling a dependent stage
     *       ({@code await().thenApply(f)}) does not reach this future.
     *   <dt>Fairness
     *   <dd>None needed: {@code set} completes all waiters, in the order they called {@code await}.
     *   <dt>Completion thread
     *   <dd>Already complete when the cell is set; otherwise completed by the thread that calls
     *       {@link #set(Object)} (trampolined: deep chains of completions do not grow its stack),
     *       after internal locks are released. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return a future of the value
     */
    public CompletableFuture<T> await() {
        T v = value;
        if (v != null) {
            return StackSafeFuture.completed(v);
        }
        Await<T> w = new Await<>(this, false);
        v = enqueue(w);
        return v != null ? StackSafeFuture.completed(v) : w.future();
    }

    /**
     * Waits for the value, parking the current thread until the cell is set.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption withdraws the
     *       wait like {@code cancel()}: if it wins, {@link InterruptedException} is thrown; if the
     *       value was delivered first, it is returned and the interrupt status is set again. A
     *       thread interrupted on entry throws at once. Fails fast with {@link
     *       IllegalStateException} on a Reactor non-blocking thread, even if the cell is set. Waits
     *       forever if nobody sets the cell.
     *   <dt>Fairness
     *   <dd>As {@link #await()}, in the same queue.
     * </dl>
     *
     * @return the value
     * @throws InterruptedException if interrupted while waiting
     */
    public T blockingAwait() throws InterruptedException {
        BlockingCheck.check("SetOnce.blockingAwait");
        return awaitBlocking(Long.MAX_VALUE);
    }

    /**
     * Waits for the value, parking the current thread for at most {@code timeout}. See {@link
     * #blockingAwait()} for the interrupt contract.
     *
     * @param timeout the longest wait; zero or negative means "do not wait"
     * @return the value, or null if the timeout passed before the cell was set
     * @throws InterruptedException if interrupted while waiting
     * @throws NullPointerException if {@code timeout} is null
     */
    public T blockingAwait(Duration timeout) throws InterruptedException {
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("SetOnce.blockingAwait");
        return awaitBlocking(deadline);
    }

    /** For tests and monitoring: the number of linked waiters. */
    int queuedWaiters() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        T v = value;
        return "SetOnce[" + (v != null ? v : "unset") + "]";
    }

    private T awaitBlocking(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        T v = value;
        if (v != null) {
            return v;
        }
        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
            return null;
        }
        Await<T> w = new Await<>(this, true);
        v = enqueue(w);
        return v != null ? v : w.awaitBlocking(deadline, null);
    }

    /** Links {@code w} unless the value is set meanwhile; returns the value in that case. */
    private T enqueue(Await<T> w) {
        lock.lock();
        try {
            T v = value;
            if (v == null) {
                waiters.addLast(w);
            }
            return v;
        } finally {
            lock.unlock();
        }
    }

    private void withdraw(Await<T> w) {
        lock.lock();
        try {
            waiters.remove(w);
        } finally {
            lock.unlock();
        }
    }

    /** A queued wait for the value. */
    private static final class Await<T> extends Waiter<T> {
        private final SetOnce<T> owner;

        Await(SetOnce<T> owner, boolean blocking) {
            super(blocking);
            this.owner = owner;
        }

        @Override
        protected void undelivered(T v) {
            // Nothing to give back: the value stays in the cell (cancel-safe).
        }

        @Override
        protected void withdraw() {
            owner.withdraw(this);
        }
    }

    /**
     * Thrown by {@link SetOnce#set(Object)} when the cell was already set: tokio's {@code
     * SetOnceError}. Carries the rejected value.
     */
    public static final class AlreadySetException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        /** The rejected value; not serialized. */
        private final transient Object value;

        AlreadySetException(Object value) {
            super("set requires an unset SetOnce but it was already set");
            this.value = value;
        }

        /**
         * Returns the value that {@code set} rejected, so the caller can use or release it.
         *
         * @return the rejected value (null after deserialization)
         */
        public Object value() {
            return value;
        }
    }
}
