package dev.tributary.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Permits taken from a {@link Semaphore}; {@link #close()} returns them. tokio's {@code
 * SemaphorePermit} and {@code OwnedSemaphorePermit} in one type (Java has no borrow to distinguish
 * them).
 *
 * <p>A permit object is meant to be used by one thread at a time (it may move between threads, with
 * the usual happens-before of the hand-off); {@link #close()} alone is safe to race: exactly one
 * call releases.
 */
public final class SemaphorePermit implements AutoCloseable {
    private final Semaphore semaphore;
    private int permits;

    /**
     * 0 while held, 1 once closed; set by CAS so a double close is detected even across threads.
     */
    private volatile int closed;

    SemaphorePermit(Semaphore semaphore, int permits) {
        this.semaphore = semaphore;
        this.permits = permits;
    }

    /**
     * Returns the number of permits this object holds.
     *
     * @return the permits held (0 after {@link #forget()})
     */
    public int numPermits() {
        return permits;
    }

    /**
     * Returns the semaphore these permits belong to.
     *
     * @return the semaphore
     */
    public Semaphore semaphore() {
        return semaphore;
    }

    /**
     * Forgets the permits: they are never returned to the semaphore (its capacity shrinks by that
     * many). Closing this object afterwards releases nothing.
     *
     * @throws IllegalStateException if already closed
     */
    public void forget() {
        checkOpen("forget");
        permits = 0;
    }

    /**
     * Moves all permits of {@code other} into this object. {@code other} then holds 0 permits
     * (closing it releases nothing).
     *
     * @param other permits of the same semaphore
     * @throws IllegalArgumentException if {@code other} belongs to another semaphore, or is this
     *     object
     * @throws IllegalStateException if either is already closed
     * @throws NullPointerException if {@code other} is null
     */
    public void merge(SemaphorePermit other) {
        Objects.requireNonNull(other, "other");
        if (other.semaphore != semaphore) {
            throw new IllegalArgumentException(
                    "merge requires permits of the same semaphore but got permits of "
                            + other.semaphore
                            + " to merge into permits of "
                            + semaphore);
        }
        if (other == this) {
            throw new IllegalArgumentException(
                    "merge requires another permit object but got this one");
        }
        checkOpen("merge");
        other.checkOpen("merge");
        permits += other.permits;
        other.permits = 0;
    }

    /**
     * Splits {@code n} permits off into a new object.
     *
     * @param n permits to move, {@code 0..numPermits()}
     * @return the new permits, or null if this object holds fewer than {@code n} (nothing changes
     *     then, as in tokio)
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException if already closed
     */
    public SemaphorePermit split(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be non-negative but was " + n);
        }
        checkOpen("split");
        if (n > permits) {
            return null;
        }
        permits -= n;
        return new SemaphorePermit(semaphore, n);
    }

    /**
     * Returns the permits to the semaphore (handed to queued waiters first).
     *
     * @throws IllegalStateException if already closed: a permit is released once
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException(
                    "SemaphorePermit already released: close() requires an unreleased permit");
        }
        int n = permits;
        permits = 0;
        semaphore.releaseFromPermit(n);
    }

    private void checkOpen(String op) {
        if (closed != 0) {
            throw new IllegalStateException(
                    op + " requires an unreleased SemaphorePermit but it was closed");
        }
    }

    @Override
    public String toString() {
        return "SemaphorePermit[" + permits + (closed != 0 ? ", released" : "") + "]";
    }

    // VarHandle mechanics
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED =
                    MethodHandles.lookup()
                            .findVarHandle(SemaphorePermit.class, "closed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
