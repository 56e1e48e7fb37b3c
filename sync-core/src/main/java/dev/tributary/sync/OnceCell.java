package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.WaitingFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A thread-safe cell written at most once, whose initializer may be asynchronous: tokio's {@code
 * OnceCell}. Typically it holds a value that is expensive to compute and needed by many callers,
 * such as a connection or a configuration loaded on first use.
 *
 * <ul>
 *   <li><b>Initialization</b>: {@link #getOrInit(Supplier)} and {@link #getOrTryInit(Supplier)} run
 *       at most one initializer at a time. The other callers wait, in FIFO order, and all complete
 *       with the value the running initializer stores. If it fails, the next waiter runs its own
 *       initializer.
 *   <li><b>Direct write</b>: {@link #set(Object)} stores a value only if the cell is empty and no
 *       initializer is running; otherwise it throws a {@link SetException} carrying the rejected
 *       value.
 *   <li><b>Values</b>: never null. An empty cell reads as null from {@link #get()}.
 *   <li><b>Reset</b>: {@link #take()} empties an initialized cell atomically, so the next {@code
 *       getOrInit} runs an initializer again (tokio's {@code take} needs exclusive access; here it
 *       is safe to race).
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions of the initializer, and actions before {@link
 * #set(Object)}, happen-before actions after any read that observes the stored value ({@link
 * #get()}, {@link #initialized()} returning true, or the completion of a {@code getOrInit} future).
 *
 * <p>Initializing the cell recursively, from inside its own initializer, never completes: the inner
 * call waits for the outer initializer, which waits for the inner call (tokio deadlocks the same
 * way).
 *
 * @param <T> the type of the value
 */
public final class OnceCell<T> {
    /*
     * Implementation overview (ported from tokio's sync/once_cell.rs).
     *
     * The cell holds one Slot at a time; a Slot is one initialization epoch: a BatchSemaphore with
     * one permit, and a volatile value written at most once. Whoever holds the permit may write the
     * value; it writes it (release) and then closes the core, which fails every queued acquisition
     * with the private INITIALIZED signal, on which the waiters read the value. The permit is never
     * returned. Invariant (as in tokio): a closed core implies a non-null value in its slot; the
     * value of a slot never changes once written.
     *
     * An initializer that fails returns the permit with release(1): the core hands it to the
     * oldest queued waiter, which runs its own initializer. A caller that withdraws while queued
     * loses only its place (the cancel contract of BatchSemaphore); one that is cancelled after the
     * grant detaches from a running initializer but does not stop it.
     *
     * take() replaces an initialized slot with a fresh one by CAS on `slot` (the linearization
     * point), so exactly one take() returns each value. It leaves an empty slot alone: an
     * initializer running in it will still store its value there. A caller that read the old slot
     * keeps using it and sees the value that slot got, which was the cell's value at some point
     * during the call.
     *
     * Fields: `slot` is volatile, replaced only by CAS; Slot.value is volatile, written once by the
     * permit holder (release; pairs with the acquire reads in get(), initialized() and the waiters'
     * completion).
     */

    private static final IntFunction<Object> GRANT = n -> Boolean.TRUE;

    /** The current initialization epoch; replaced by {@link #take()}. */
    private volatile Slot<T> slot;

    /** Creates an empty cell (tokio's {@code OnceCell::new}). */
    public OnceCell() {
        this.slot = new Slot<>();
    }

    private OnceCell(T value) {
        this.slot = new Slot<>(value);
    }

    /**
     * Creates a cell that already holds {@code value} (tokio's {@code OnceCell::new_with(Some(v))}
     * and {@code From<T>}).
     *
     * @param value the value, non-null
     * @param <T> the type of the value
     * @return an initialized cell
     * @throws NullPointerException if {@code value} is null
     */
    public static <T> OnceCell<T> of(T value) {
        return new OnceCell<>(Objects.requireNonNull(value, "value is null"));
    }

    /**
     * Returns the value, or null while the cell is empty (also while an initializer is running).
     *
     * @return the value, or null
     */
    public T get() {
        return slot.value;
    }

    /**
     * Returns true if the cell holds a value.
     *
     * @return whether the cell is initialized
     */
    public boolean initialized() {
        return slot.value != null;
    }

    /**
     * Stores {@code value} if the cell is empty and no initializer is running.
     *
     * @param value the value, non-null
     * @throws AlreadyInitializedException if the cell already holds a value
     * @throws InitializingException if an initializer of {@code getOrInit}, {@code getOrTryInit} or
     *     {@code blockingGetOrInit} is running
     * @throws NullPointerException if {@code value} is null
     */
    public void set(T value) {
        Objects.requireNonNull(value, "value is null");
        Slot<T> s = slot;
        if (s.value != null) {
            throw new AlreadyInitializedException(value);
        }
        int r = s.core.tryAcquire(1);
        if (r == BatchSemaphore.TRY_ACQUIRED) {
            s.store(value);
        } else if (r == BatchSemaphore.TRY_NO_PERMITS && s.value == null) {
            throw new InitializingException(value); // someone holds the permit: initializing
        } else {
            // Closed, or the holder has stored its value and is closing: initialized meanwhile.
            throw new AlreadyInitializedException(value);
        }
    }

    /**
     * Returns the value, initializing the cell with {@code init} if it is empty. If another caller
     * is initializing it, waits for that caller and completes with its value. {@code init} is
     * called at most once, and only when this caller's turn comes.
     *
     * <p>The initializer is not expected to fail. If it does anyway — it throws, returns a null
     * stage, its stage fails or is cancelled, or its stage completes with null (a cell cannot hold
     * null: {@link NullPointerException}) — that failure completes this caller's future, as a panic
     * in tokio's {@code get_or_init} reaches the awaiting task, and the cell stays empty: the
     * oldest waiting caller then runs its own initializer. Use {@link #getOrTryInit(Supplier)} when
     * "no value" is an expected outcome.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>While waiting for its turn, cancelling the returned future (or {@code
     *       completeExceptionally}, {@code orTimeout}) loses only the place in the queue: {@code
     *       init} is never called, and a turn granted in the race passes to the next waiter. Once
     *       {@code init} has been called, cancelling the returned future only detaches this caller:
     *       the initialization goes on, its value is still stored and delivered to the other
     *       callers, and no other initializer starts meanwhile. To abort a running initialization,
     *       cancel (or fail) the stage {@code init} returned: as in tokio, the attempt is then
     *       abandoned and the next waiter tries, and this caller's future fails with that stage's
     *       {@code CancellationException} (so it reads as cancelled too). Cancelling a dependent
     *       stage does not reach the returned future.
     *   <dt>Fairness
     *   <dd>FIFO: after a failed attempt, the oldest waiter initializes next.
     *   <dt>Completion thread
     *   <dd>Already complete when the cell was initialized. Otherwise {@code init} runs on this
     *       thread (if nobody else was initializing) or on the thread that ended the previous
     *       failed attempt; the returned future and those of all waiting callers complete on the
     *       thread that completed the stage {@code init} returned (trampolined), after internal
     *       locks are released. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @param init starts the initialization; called at most once, when this caller's turn comes
     * @return a future of the value
     * @throws NullPointerException if {@code init} is null
     */
    public CompletableFuture<T> getOrInit(Supplier<? extends CompletionStage<? extends T>> init) {
        Objects.requireNonNull(init, "init is null");
        return initialize(init, false);
    }

    /**
     * Returns the value, initializing the cell with {@code init} if it is empty, where the
     * initializer may fail: tokio's {@code get_or_try_init}. If another caller is initializing the
     * cell, waits for that caller and completes with its value.
     *
     * <p>A failed attempt ends this caller's call and leaves the cell empty, so that the oldest
     * waiting caller runs its own initializer, as in tokio. Failure takes two forms:
     *
     * <ul>
     *   <li>{@code init} throws, returns a null stage, or its stage fails or is cancelled: the
     *       returned future fails with that exception (tokio's {@code Err(e)});
     *   <li>the stage completes with null: the returned future completes with null — the
     *       initializer declined to produce a value (tokio's {@code Err(())} without a cause). This
     *       is the difference from {@link #getOrInit(Supplier)}, where null is a {@link
     *       NullPointerException}.
     * </ul>
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>As {@link #getOrInit(Supplier)}: while waiting it loses only the place in the queue;
     *       once {@code init} was called it detaches this caller without stopping the attempt.
     *   <dt>Fairness
     *   <dd>FIFO: after a failed attempt, the oldest waiter initializes next.
     *   <dt>Completion thread
     *   <dd>As {@link #getOrInit(Supplier)}.
     * </dl>
     *
     * @param init starts the initialization; called at most once, when this caller's turn comes
     * @return a future of the value; of null if this caller's initializer declined
     * @throws NullPointerException if {@code init} is null
     */
    public CompletableFuture<T> getOrTryInit(
            Supplier<? extends CompletionStage<? extends T>> init) {
        Objects.requireNonNull(init, "init is null");
        return initialize(init, true);
    }

    /**
     * Returns the value, initializing the cell with the synchronous {@code init} if it is empty,
     * parking the current thread while another caller (async or blocking) initializes it. {@code
     * init} runs on the calling thread, at most once.
     *
     * <p>If {@code init} throws, or returns null ({@link NullPointerException}), the exception
     * propagates to the caller and the cell stays empty: the oldest waiting caller then runs its
     * own initializer.
     *
     * <dl>
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads). Interruption while waiting
     *       for the turn withdraws the call like {@code cancel()}: {@link InterruptedException} is
     *       thrown and {@code init} is not called; if the turn was granted first, {@code init} runs
     *       and the interrupt status is set again. A thread interrupted on entry returns the value
     *       if the cell is initialized and throws otherwise. An interrupt during {@code init} is
     *       left to {@code init}. Fails fast with {@link IllegalStateException} on a Reactor
     *       non-blocking thread, even if the cell is initialized.
     *   <dt>Fairness
     *   <dd>FIFO, in the same queue as the async callers.
     * </dl>
     *
     * @param init computes the value; called at most once, on this thread
     * @return the value
     * @throws InterruptedException if interrupted while waiting for the turn
     * @throws NullPointerException if {@code init} is null, or returns null
     */
    public T blockingGetOrInit(Supplier<? extends T> init) throws InterruptedException {
        Objects.requireNonNull(init, "init is null");
        BlockingCheck.check("OnceCell.blockingGetOrInit");
        return initializeBlocking(init, Long.MAX_VALUE);
    }

    /**
     * As {@link #blockingGetOrInit(Supplier)}, but waits at most {@code timeout} for the turn to
     * initialize (the initializer itself, once started, runs to its end).
     *
     * @param init computes the value; called at most once, on this thread
     * @param timeout the longest wait for the turn; zero or negative means "do not wait"
     * @return the value, or null if the timeout passed first ({@code init} was not called)
     * @throws InterruptedException if interrupted while waiting for the turn
     * @throws NullPointerException if {@code init} or {@code timeout} is null, or {@code init}
     *     returns null
     * @see #blockingGetOrInit(Supplier)
     */
    public T blockingGetOrInit(Supplier<? extends T> init, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(init, "init is null");
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("OnceCell.blockingGetOrInit");
        return initializeBlocking(init, deadline);
    }

    /**
     * Empties the cell and returns the value it held, or null if it held none. A running
     * initializer is not affected: the cell reads as empty until it stores its value. Safe to call
     * concurrently: each stored value is returned by at most one {@code take()}.
     *
     * @return the previous value, or null
     */
    public T take() {
        for (; ; ) {
            Slot<T> s = slot;
            T v = s.value;
            if (v == null) {
                return null;
            }
            if (SLOT.compareAndSet(this, s, new Slot<T>())) {
                return v;
            }
        }
    }

    /** For tests and monitoring: true if a caller waits for its turn to initialize. */
    boolean hasQueuedWaiters() {
        return slot.core.hasQueuedWaiters();
    }

    @Override
    public String toString() {
        T v = slot.value;
        return "OnceCell[" + (v != null ? v : "uninitialized") + "]";
    }

    private CompletableFuture<T> initialize(
            Supplier<? extends CompletionStage<? extends T>> init, boolean tryInit) {
        Slot<T> s = slot;
        T v = s.value;
        if (v != null) {
            return StackSafeFuture.completed(v);
        }
        CompletableFuture<Object> turn = s.core.acquire(1, GRANT);
        // Completing the result from outside withdraws the turn first (cancel contract); once
        // granted, the turn future is complete and that does nothing.
        InitFuture<T> result = new InitFuture<>(turn);
        turn.whenComplete(
                (granted, failure) -> {
                    if (failure == null) {
                        if (result.isDone()) {
                            s.core.release(1); // withdrawn just after the grant: pass it on
                        } else {
                            s.runInitializer(init, tryInit, result);
                        }
                    } else if (failure instanceof Initialized) {
                        result.deliver(s.value); // non-null: the core closes only after store
                    }
                    // otherwise the turn was cancelled through result, which is already done
                });
        return result;
    }

    private T initializeBlocking(Supplier<? extends T> init, long deadline)
            throws InterruptedException {
        Slot<T> s = slot;
        T v = s.value;
        if (v != null) {
            return v;
        }
        try {
            if (s.core.acquireBlocking(1, deadline, GRANT) == null) {
                return null; // timed out
            }
        } catch (Initialized done) {
            return s.value;
        }
        try {
            v = Objects.requireNonNull(init.get(), "the initializer returned null");
        } catch (Throwable t) {
            s.core.release(1);
            throw t;
        }
        s.store(v);
        return v;
    }

    /** One initialization epoch: a one-permit core and the value its permit holder stores. */
    private static final class Slot<T> {
        final BatchSemaphore core;

        /** Written once, by the permit holder, before the core closes. */
        volatile T value;

        Slot() {
            this.core = new BatchSemaphore(1, () -> Initialized.INSTANCE);
        }

        Slot(T value) {
            this.core = new BatchSemaphore(0, () -> Initialized.INSTANCE);
            this.value = value;
            this.core.close();
        }

        /** Stores the value; the caller holds the permit, which is never returned. */
        void store(T v) {
            value = v; // release; pairs with the volatile reads of value
            core.close(); // queued callers fail with INITIALIZED and read value
        }

        /** Runs one attempt for {@code result}; the caller holds the permit. */
        void runInitializer(
                Supplier<? extends CompletionStage<? extends T>> init,
                boolean tryInit,
                InitFuture<T> result) {
            CompletionStage<? extends T> stage;
            try {
                stage = init.get();
                if (stage == null) {
                    throw new NullPointerException("the initializer returned a null stage");
                }
            } catch (Throwable t) {
                core.release(1);
                result.fail(t);
                return;
            }
            stage.whenComplete(
                    (v, error) -> {
                        if (error == null && v != null) {
                            store(v);
                            result.deliver(v);
                            return;
                        }
                        core.release(1); // failed attempt: the next waiter tries
                        if (error != null) {
                            result.fail(error);
                        } else if (tryInit) {
                            result.deliver(null);
                        } else {
                            result.fail(
                                    new NullPointerException(
                                            "the initializer completed with null"));
                        }
                    });
        }
    }

    /**
     * The signal a closed core gives its waiters: the cell is initialized. Shared and stackless; it
     * never leaves this class.
     */
    private static final class Initialized extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Initialized INSTANCE = new Initialized();

        private Initialized() {
            super("OnceCell initialized", null, false, false);
        }
    }

    /**
     * Thrown by {@link OnceCell#set(Object)} when the cell cannot take the value: tokio's {@code
     * SetError}. Carries the rejected value.
     */
    public abstract static sealed class SetException extends IllegalStateException
            permits AlreadyInitializedException, InitializingException {
        private static final long serialVersionUID = 1L;

        /** The rejected value; not serialized. */
        private final transient Object value;

        SetException(String message, Object value) {
            super(message);
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

    /** The cell already held a value: tokio's {@code SetError::AlreadyInitializedError}. */
    public static final class AlreadyInitializedException extends SetException {
        private static final long serialVersionUID = 1L;

        AlreadyInitializedException(Object value) {
            super("set requires an empty OnceCell but it was already initialized", value);
        }
    }

    /** An initializer was running: tokio's {@code SetError::InitializingError}. */
    public static final class InitializingException extends SetException {
        private static final long serialVersionUID = 1L;

        InitializingException(Object value) {
            super("set requires an empty OnceCell but it was being initialized", value);
        }
    }

    // VarHandle mechanics
    private static final VarHandle SLOT;

    static {
        try {
            SLOT = MethodHandles.lookup().findVarHandle(OnceCell.class, "slot", Slot.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The future of {@code getOrInit}/{@code getOrTryInit}: a {@link WaitingFuture}, so every
     * outside completion withdraws the caller's initialisation turn before it becomes visible; the
     * cell completes it with {@link #deliver} and {@link #fail}.
     */
    static final class InitFuture<T> extends WaitingFuture<T> {
        private final CompletableFuture<?> turn;

        InitFuture(CompletableFuture<?> turn) {
            this.turn = turn;
        }

        boolean deliver(T value) {
            return completeInternally(value);
        }

        boolean fail(Throwable failure) {
            return failInternally(failure);
        }

        @Override
        protected boolean beforeExternalCompletion() {
            if (!isDone()) {
                turn.cancel(false); // withdraws the wait; a turn granted in the race is passed on
            }
            return true;
        }
    }
}
