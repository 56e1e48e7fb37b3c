package dev.tributary.sync;

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

    /** The stamp of the hold this guard ends (the core's generation when it began). */
    private final int stamp;

    /**
     * Set by the first close on this thread, so that a second close fails without touching the
     * core. Plain: racing closes are decided by the core ({@link Mutex#unlock(int)} succeeds for
     * one of them), and a guard is used by one thread at a time otherwise.
     */
    private boolean closed;

    MutexGuard(Mutex<T> mutex, int stamp) {
        this.mutex = mutex;
        this.stamp = stamp;
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
        boolean first = !closed;
        closed = true;
        if (!first || !mutex.unlock(stamp)) { // the core's CAS or lock: release to the next holder
            throw new IllegalStateException(
                    "MutexGuard already released: close() requires an unreleased guard");
        }
    }

    private void checkOpen(String op) {
        if (closed) {
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
        return "MutexGuard[" + (closed ? "released" : String.valueOf(mutex.value)) + "]";
    }
}
