package dev.tributary.sync.internal;

/**
 * An intrusive FIFO of {@link Waiter}s, doubly linked through the waiters' own fields so that
 * linking and unlinking (including from the middle, on cancellation) allocate nothing and take
 * O(1).
 *
 * <p>Not thread-safe: every method must be called under the owner's lock. A waiter is in at most
 * one list at a time ({@link Waiter#list} names it).
 */
public final class WaiterList {
    private Waiter<?> head;
    private Waiter<?> tail;
    private int size;

    /** Creates an empty list. */
    public WaiterList() {}

    /** Returns true if no waiter is linked. */
    public boolean isEmpty() {
        return head == null;
    }

    /** Returns the number of linked waiters. */
    public int size() {
        return size;
    }

    /** Returns the oldest waiter, or null. */
    public Waiter<?> peekFirst() {
        return head;
    }

    /** Returns the newest waiter, or null. */
    public Waiter<?> peekLast() {
        return tail;
    }

    /**
     * Links {@code w} at the tail.
     *
     * @param w an unlinked waiter
     */
    public void addLast(Waiter<?> w) {
        if (w.list != null) {
            throw new IllegalStateException("waiter already linked");
        }
        w.list = this;
        w.next = null;
        w.prev = tail;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        size++;
    }

    /**
     * Unlinks {@code w} if it is linked in this list.
     *
     * @param w a waiter
     * @return true if it was linked here and is now unlinked
     */
    public boolean remove(Waiter<?> w) {
        if (w.list != this) {
            return false;
        }
        Waiter<?> p = w.prev;
        Waiter<?> n = w.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        w.prev = null;
        w.next = null;
        w.list = null;
        size--;
        return true;
    }

    /** Unlinks and returns the oldest waiter, or null. */
    public Waiter<?> pollFirst() {
        Waiter<?> w = head;
        if (w != null) {
            remove(w);
        }
        return w;
    }

    /** Unlinks and returns the newest waiter, or null. */
    public Waiter<?> pollLast() {
        Waiter<?> w = tail;
        if (w != null) {
            remove(w);
        }
        return w;
    }
}
