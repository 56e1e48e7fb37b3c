package dev.tributary.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Shared read access to an {@link RwLock}, held until {@link #close()}. tokio's {@code
 * RwLockReadGuard} and {@code OwnedRwLockReadGuard} in one type; tokio's {@code map}/{@code
 * try_map} have no counterpart.
 *
 * <p>A guard is meant to be used by one thread at a time (it may move between threads, with the
 * usual happens-before of the hand-off); {@link #close()} alone is safe to race: exactly one call
 * releases. After {@code close()}, {@link #get()} throws {@link IllegalStateException}.
 *
 * @param <T> the type of the protected value
 */
public final class RwLockReadGuard<T> implements AutoCloseable {
    private final RwLock<T> lock;

    /** 0 while held, 1 once closed; set by CAS so that exactly one close releases. */
    private volatile int closed;

    RwLockReadGuard(RwLock<T> lock) {
        this.lock = lock;
    }

    /**
     * Returns the protected value. Other readers may read it at the same time: do not mutate it.
     *
     * @return the value (may be null)
     * @throws IllegalStateException if this guard was closed
     */
    public T get() {
        if (closed != 0) {
            throw new IllegalStateException(
                    "get requires an unreleased RwLockReadGuard but it was closed");
        }
        return lock.value;
    }

    /**
     * Returns the lock this guard reads.
     *
     * @return the lock
     */
    public RwLock<T> lock() {
        return lock;
    }

    /**
     * Releases read access: once the last reader is gone, a queued writer may get the lock (its
     * continuation may run on this thread before this method returns, trampolined).
     *
     * @throws IllegalStateException if already closed: access is released once
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException(
                    "RwLockReadGuard already released: close() requires an unreleased guard");
        }
        lock.release(1); // release; the core's CAS or lock pairs with a later writer's acquire
    }

    /**
     * Describes this guard; shows the value only while the guard is held.
     *
     * @return a description such as {@code RwLockReadGuard[42]} or {@code
     *     RwLockReadGuard[released]}
     */
    @Override
    public String toString() {
        return "RwLockReadGuard[" + (closed != 0 ? "released" : String.valueOf(lock.value)) + "]";
    }

    // VarHandle mechanics
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED =
                    MethodHandles.lookup()
                            .findVarHandle(RwLockReadGuard.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
