package dev.tributary.sync.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of a short critical section: the waiter lists and the slow paths of the channels. Held
 * for O(1) steps, or O(waiters woken) unlinking, never across user code, a completion or another
 * lock's wait; waiters are fired after it is released (see the locking rules in this package's
 * docs). So a thread that finds it held waits only for a few instructions of another thread — a
 * park here is a scheduling artefact, not a blocking operation.
 *
 * <p>A class of its own, so that tools which flag parking on non-blocking threads can allow exactly
 * these waits and nothing else: {@code sync-reactor} registers a BlockHound integration that allows
 * blocking calls inside {@link #lock()}. A lock whose holder can run user code (Watch's {@code
 * sendModify} function runs under the channel's write lock) stays a plain {@code ReentrantLock}, so
 * a thread parked behind it is still reported.
 */
public final class ShortLock extends ReentrantLock {
    private static final long serialVersionUID = 1L;

    /** Creates a non-fair lock. */
    public ShortLock() {}

    /**
     * Acquires the lock, as {@link ReentrantLock#lock()}; the frame that BlockHound's allowance
     * names.
     */
    @Override
    public void lock() {
        super.lock();
    }
}
