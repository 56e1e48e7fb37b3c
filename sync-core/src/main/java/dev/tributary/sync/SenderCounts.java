package dev.tributary.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The open sender handles of a multi-sender channel (mpsc, broadcast), counted as tokio counts its
 * {@code Sender} clones: strong handles keep the channel open and the last one to close closes it;
 * weak handles do not, and upgrade only while a strong one is left. The counts change by atomic
 * read-modify-writes and are read volatile.
 */
abstract class SenderCounts {

    /** Open strong sender handles; the channel starts with one. */
    volatile int strong = 1;

    /** Open weak sender handles. */
    volatile int weak;

    /** Called once, by the thread that closed the last strong handle. */
    abstract void lastStrongClosed();

    /** clone(): one more strong handle (the caller holds one, so the count is above zero). */
    final void addStrong() {
        STRONG.getAndAdd(this, 1);
    }

    /** WeakSender.upgrade(): adds a strong handle unless none is left; true if it did. */
    final boolean tryAddStrong() {
        for (int n = strong; n > 0; n = strong) {
            if (STRONG.compareAndSet(this, n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** A strong handle closed; the last one closes the channel. */
    final void dropStrong() {
        if ((int) STRONG.getAndAdd(this, -1) == 1) {
            lastStrongClosed();
        }
    }

    final void addWeak() {
        WEAK.getAndAdd(this, 1);
    }

    final void dropWeak() {
        WEAK.getAndAdd(this, -1);
    }

    // VarHandle mechanics
    private static final VarHandle STRONG;
    private static final VarHandle WEAK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STRONG = l.findVarHandle(SenderCounts.class, "strong", int.class);
            WEAK = l.findVarHandle(SenderCounts.class, "weak", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
