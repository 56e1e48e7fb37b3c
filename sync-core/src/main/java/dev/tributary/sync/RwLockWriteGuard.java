package dev.tributary.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Exclusive write access to an {@link RwLock}, held until {@link #close()} or {@link #downgrade()}.
 * tokio's {@code RwLockWriteGuard} and {@code OwnedRwLockWriteGuard} in one type; tokio's {@code
 * map}/{@code try_map} have no counterpart.
 *
 * <p>A guard is meant to be used by one thread at a time (it may move between threads, with the
 * usual happens-before of the hand-off); {@link #close()} and {@link #downgrade()} are safe to
 * race: exactly one of them releases. Afterwards {@link #get()}, {@link #set(Object)}, {@code
 * close()} and {@code downgrade()} throw {@link IllegalStateException}.
 *
 * @param <T> the type of the protected value
 */
public final class RwLockWriteGuard<T> implements AutoCloseable {
    private final RwLock<T> lock;

    /** 0 while held, 1 once closed or downgraded; set by CAS so that exactly one call releases. */
    private volatile int closed;

    RwLockWriteGuard(RwLock<T> lock) {
        this.lock = lock;
    }

    /**
     * Returns the protected value.
     *
     * @return the value (may be null)
     * @throws IllegalStateException if this guard was closed or downgraded
     */
    public T get() {
        checkOpen("get");
        return lock.value;
    }

    /**
     * Replaces the protected value.
     *
     * @param value the new value; may be null
     * @throws IllegalStateException if this guard was closed or downgraded
     */
    public void set(T value) {
        checkOpen("set");
        lock.value = value;
    }

    /**
     * Returns the lock this guard writes.
     *
     * @return the lock
     */
    public RwLock<T> lock() {
        return lock;
    }

    /**
     * Turns write access into read access atomically: no writer can take the lock in between.
     * Readers queued before any writer get in at once; a queued writer keeps waiting, and so do the
     * readers behind it. This guard is closed afterwards.
     *
     * @return a read guard for the same lock, to be closed in its turn
     * @throws IllegalStateException if this guard was already closed or downgraded
     */
    public RwLockReadGuard<T> downgrade() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException(
                    "downgrade requires an unreleased RwLockWriteGuard but it was closed");
        }
        RwLockReadGuard<T> reader = new RwLockReadGuard<>(lock);
        lock.release(lock.maxReaders() - 1); // keep one permit: the lock is never free here
        return reader;
    }

    /**
     * Releases write access: the waiters at the head of the queue (one writer, or readers up to the
     * next writer) get the lock; their continuations may run on this thread before this method
     * returns, trampolined.
     *
     * @throws IllegalStateException if already closed or downgraded: access is released once
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException(
                    "RwLockWriteGuard already released: close() requires an unreleased guard");
        }
        lock.release(lock.maxReaders()); // release; pairs with the next holder's acquire
    }

    private void checkOpen(String op) {
        if (closed != 0) {
            throw new IllegalStateException(
                    op + " requires an unreleased RwLockWriteGuard but it was closed");
        }
    }

    /**
     * Describes this guard; shows the value only while the guard is held.
     *
     * @return a description such as {@code RwLockWriteGuard[42]} or {@code
     *     RwLockWriteGuard[released]}
     */
    @Override
    public String toString() {
        return "RwLockWriteGuard[" + (closed != 0 ? "released" : String.valueOf(lock.value)) + "]";
    }

    // VarHandle mechanics
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED =
                    MethodHandles.lookup()
                            .findVarHandle(RwLockWriteGuard.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
