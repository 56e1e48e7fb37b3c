package dev.tributary.sync.internal;

/**
 * Collects claimed waiters under the owner's lock, in order, so that they can be fired after the
 * lock is released. Confined to one thread; links through {@link Waiter#nextToFire}, so it
 * allocates only itself (and usually not even that, once escape analysis has run).
 */
public final class FireChain {
    private Waiter<?> head;
    private Waiter<?> tail;

    /** Creates an empty chain. */
    public FireChain() {}

    /**
     * Appends a claimed waiter.
     *
     * @param w a waiter this thread claimed and unlinked
     */
    public void add(Waiter<?> w) {
        w.nextToFire = null;
        if (tail == null) {
            head = w;
        } else {
            tail.nextToFire = w;
        }
        tail = w;
    }

    /** Fires every collected waiter in order and empties the chain. Call with no lock held. */
    public void fireAll() {
        Waiter<?> w = head;
        head = null;
        tail = null;
        while (w != null) {
            Waiter<?> n = w.nextToFire;
            w.nextToFire = null;
            w.fire();
            w = n;
        }
    }
}
