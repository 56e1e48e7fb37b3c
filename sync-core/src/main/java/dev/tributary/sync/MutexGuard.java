package dev.tributary.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The lock of a {@link Mutex}, held until {@link #close()}; the only way to read or write the
 * protected value. tokio's {@code MutexGuard} and {@code OwnedMutexGuard} in one type (Java has no
 * borrow to distinguish them); tokio's {@code map}/{@code try_map} have no counterpart.
 *
 * <p>A guard is meant to be used by one thread at a time (it may move between threads, with the
 * usual happens-before of the hand-off, e.g. a future's completion); {@link #close()} alone is safe
 * to race: exactly one call releases. After {@code close()}, {@link #get()} and {@link
 * #set(Object)} throw {@link IllegalStateException}.
 *
 * @param <T> the type of the protected value
 */
public final class MutexGuard<T> implements AutoCloseable {
    private final Mutex<T> mutex;

    /** 0 while held, 1 once closed; set by CAS so that exactly one close releases. */
    private volatile int closed;

    MutexGuard(Mutex<T> mutex) {
        this.mutex = mutex;
    }

    /**
     * Returns the protected value.
     *
     * @return the value (may be null)
     * @throws IllegalStateException if this guard was closed
     */
    public T get() {
        checkOpen("get");
        return mutex.value;
    }

    /**
     * Replaces the protected value.
     *
     * @param value the new value; may be null
     * @throws IllegalStateException if this guard was closed
     */
    public void set(T value) {
        checkOpen("set");
        mutex.value = value;
    }

    /**
     * Returns the mutex this guard locks.
     *
     * @return the mutex
     */
    public Mutex<T> mutex() {
        return mutex;
    }

    /**
     * Releases the lock: the oldest waiter, if any, gets it (its continuation may run on this
     * thread before this method returns, trampolined).
     *
     * @throws IllegalStateException if already closed: a lock is released once
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException(
                    "MutexGuard already released: close() requires an unreleased guard");
        }
        mutex.unlock(); // release; the core's CAS or lock pairs with the next holder's acquire
    }

    private void checkOpen(String op) {
        if (closed != 0) {
            throw new IllegalStateException(
                    op + " requires an unreleased MutexGuard but it was closed");
        }
    }

    /**
     * Describes this guard; shows the value only while the guard is held (call it from the holding
     * thread, like {@link #get()}).
     *
     * @return a description such as {@code MutexGuard[42]} or {@code MutexGuard[released]}
     */
    @Override
    public String toString() {
        return "MutexGuard[" + (closed != 0 ? "released" : String.valueOf(mutex.value)) + "]";
    }

    // VarHandle mechanics
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(MutexGuard.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
