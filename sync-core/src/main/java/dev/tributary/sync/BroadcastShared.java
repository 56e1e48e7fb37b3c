package dev.tributary.sync;

import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.ShortLock;
import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state every handle of one {@link Broadcast} channel shares: the ring, the tail word, the
 * receive waiters and their wake-up, closing, and the sender handle counts. A receiver's own cursor
 * and its receive operations are in {@link BroadcastCursor}.
 *
 * @param <T> the type of the values
 */
final class BroadcastShared<T> extends SenderCounts {

    /*
     * Implementation overview
     *
     * After tokio's sync/broadcast.rs (a power-of-two ring of slots, each stamped with the
     * position it holds; a receiver whose slot holds another position has lagged), with the
     * locks of the data path replaced by a per-slot seqlock and one CAS word.
     *
     * Words. A send *reserves* a position (its CAS of tail), then *writes* it. A position q is
     * *readable* when a receive at q would not find the channel empty: q is written, q was
     * overwritten (the receiver lagged), or q is the tail of a closed channel. To *peek* q is to
     * read its outcome without moving any cursor; a receive *consumes* it by moving its cursor
     * past it (BroadcastCursor). A waiter is *claimed* (Waiter.tryClaim) by the thread that
     * completes it, which *records* its outcome under the lock and *fires* it after unlocking.
     * capacity is the ring's size (a power of two), mask = capacity - 1.
     *
     * Positions are 43-bit counters, compared with dist(a, b), the signed 43-bit difference, so
     * they wrap safely (lag counts are exact while a receiver is less than 2^42 values behind).
     *
     * tail (volatile long) = pos << 21 | receiverCount << 1 | CLOSED. pos is the next position to
     * reserve. One word, so that a send reserves its position, reads the receiver count it
     * returns and checks CLOSED atomically (tokio does this under its tail lock), and subscribe()
     * takes its starting position atomically with incrementing the count: a receiver sees exactly
     * the positions reserved after its subscribe, and send's result counts exactly the receivers
     * that will see it. Send: CAS tail from w (open, count > 0) to w + POS_ONE. Subscribe: CAS
     * w -> w + RX_ONE. Receiver close: getAndAdd(-RX_ONE). Close: set CLOSED under `lock`.
     *
     * Slots: seqs[i] (stamp = pos << 1 | WRITING) and vals[i]. Slot i holds positions i,
     * i + capacity, i + 2 * capacity, ... in that order: the writer of p waits until the stamp is
     * (p - capacity) << 1, i.e. the previous lap is fully written (it only waits when more
     * senders than slots are in flight), sets the odd stamp p << 1 | 1, a store-store fence,
     * writes the value, and publishes the even stamp p << 1 with a volatile write. An overwrite
     * takes effect when its position is reserved, not when it is written: once q + capacity is
     * reserved, q is gone. A peek of position q reads the stamp (acquire): equal to q << 1 ->
     * reads the value, an acquire fence, and re-reads the stamp (seqlock: unchanged means the
     * value is q's), then reads tail: if tail - q <= capacity the value is returned, otherwise the
     * receiver lagged. Any other stamp: it reads tail; tail - q > capacity -> lagged; tail == q ->
     * EMPTY (END if CLOSED); otherwise a sender reserved q and is still writing it, and the peek
     * spins (then yields, Spin.backOff) until it is written: the window is a few instructions
     * unless that sender is descheduled. Waiting asynchronously there instead would let a
     * cancelled recv() miss a value that len() already counted (BroadcastLincheckTest found it).
     * A lagged receiver missed tail - capacity - q values (>= 1) and its cursor jumps to
     * tail - capacity (tokio's rule; reserved positions count as sent).
     *
     * Linearization points: send, its successful CAS of tail; subscribe, its CAS; a receive, the
     * read of tail in peek() that decides its outcome. BroadcastLincheckTest found the version
     * without the tail check after a successful slot read: a receiver could still read q after
     * another thread had observed the reservation of q + capacity.
     *
     * Waiting (tokio's waiter list under its tail lock): receivers that find nothing link a Wait
     * in `waiters` under `lock`, then set `waiting` = the list size and re-check their position
     * (readable()); senders publish the stamp and then read `waiting`. One of the two sees the
     * other (Dekker, below), so either the receiver finds the value or the sender takes the lock
     * and claims the waiter; senders pay for the lock only when someone waits. The wake pass
     * (wake(), also run by close()) claims every waiter whose position is readable, records its
     * outcome (Wait.recordOutcome, under the lock: no user code runs there; an async receive
     * peeks on the receiver's behalf, a readable wait records only TRUE), and fires them after
     * unlocking (trampolined). A blocking waiter is only woken; its thread peeks for itself.
     *
     * Access modes. Sequential consistency is needed only where each side writes one variable
     * and then reads the other's (Dekker), which release/acquire does not order:
     *   - register() writes `waiting` (volatile) and then, in readable(), reads the slot stamp
     *     (getVolatile) and tail (volatile); send() publishes the stamp (setVolatile) and then
     *     reads `waiting` (volatile). With release/acquire both reads could miss both writes:
     *     the receiver would park and the sender skip the wake pass.
     *   - BroadcastCursor's wake-up against receiver close (see its overview).
     * The rest is release/acquire or the lock:
     *   - The even stamp's setVolatile (release would publish; volatile is for the Dekker pair)
     *     pairs with the getAcquire in peek() before it reads the value, and with the getAcquire
     *     of the next lap's writer in write(), which therefore overwrites after the previous
     *     writer's value write.
     *   - The seqlock: the writer's odd stamp (opaque), storeStoreFence, value (opaque); the
     *     reader's value read (opaque), acquireFence, stamp re-read (opaque). A reader that read
     *     a later lap's value sees that lap's odd (or a later) stamp on the re-read.
     *   - tail changes only by atomic read-modify-writes (CAS, getAndAdd, getAndBitwiseOr), all
     *     volatile; its reads are volatile (the field is), the one in readable() as part of the
     *     Dekker pair. closeCause is written before CLOSED is set: a reader that sees CLOSED sees
     *     the cause (release/acquire).
     *   - Under `lock`: the waiter lists, and close's setting of CLOSED with its wake pass. The
     *     Sender.closed() waits need no Dekker argument: whenNoReceivers() re-checks the count
     *     under the lock that unsubscribe() takes after its decrement.
     *   - strong and weak (SenderCounts) are counts changed by atomic read-modify-writes, read
     *     volatile.
     *
     * Sender.len(): tokio counts, per slot, the receivers still to read it. Here each receiver's
     * cursor is readable (release-written), and len = min(capacity, tail - min cursor) over the
     * live receivers (`receivers`, a registry used only by len()): the same number, without an
     * atomic decrement per slot and receive.
     *
     * Why 43 bits: the count and CLOSED must share the word with the position (see above), and
     * 2^20 - 1 receivers are plenty; wrapping positions cost one shift pair per comparison.
     *
     * Retention: a slot keeps its value until a later lap overwrites it (tokio drops it once
     * every receiver read it, which needs the per-slot count this design avoids).
     *
     * Progress: send is lock-free except when it laps a slot whose previous writer has not
     * finished (more than `capacity` sends in flight); receives are lock-free except that they
     * wait for the writer of a reserved position. Guarded by BroadcastLincheckTest (model
     * checking, cancellation included) and BroadcastRaceTest.
     */

    static final int POS_BITS = 43;
    static final int POS_SHIFT = 64 - POS_BITS;
    static final long POS_MASK = (1L << POS_BITS) - 1;
    private static final long POS_ONE = 1L << POS_SHIFT;
    private static final long RX_ONE = 2L;
    private static final long CLOSED = 1L;

    /** Peek outcome: nothing to read now. */
    static final Object EMPTY = new Object();

    /** Peek outcome: closed and nothing left for this receiver. */
    static final Object END = new Object();

    final int capacity;
    final int mask;
    final long[] seqs;
    final Object[] vals;

    /** pos << POS_SHIFT | receiverCount << 1 | CLOSED; see the overview. */
    volatile long tail;

    /** Size of {@code waiters}; written under {@code lock}, read by senders (Dekker). */
    volatile int waiting;

    /** The cause of closeChannel, written under {@code lock} before CLOSED is set. */
    volatile Throwable closeCause;

    /**
     * Values skipped by lagging receivers in all, since creation: added to (fetch-and-add) only
     * when a receiver's cursor jumps over overwritten values, so it costs nothing on the hot path.
     */
    private volatile long laggedTotal;

    final ShortLock lock = new ShortLock();

    /** Receives waiting for a readable position; guarded by {@code lock}. */
    private WaiterList waiters = new WaiterList();

    /** The other list of the wake pass's swap; empty between calls; guarded by {@code lock}. */
    private WaiterList spare = new WaiterList();

    /** Sender.closed() waiters; guarded by {@code lock}. */
    private final WaiterList noReceiversWaiters = new WaiterList();

    /** Live receivers' cursors, for Sender.len() only. */
    private final Set<BroadcastCursor<T>> receivers = ConcurrentHashMap.newKeySet();

    BroadcastShared(int capacity) {
        this(capacity, 0L);
    }

    /** A channel whose first position is {@code start} (tests start near the wrap-around). */
    BroadcastShared(int capacity, long start) {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.seqs = new long[capacity];
        this.vals = new Object[capacity];
        this.tail = (start & POS_MASK) << POS_SHIFT;
        for (int k = 0; k < capacity; k++) {
            long p = add(start, k);
            seqs[(int) p & mask] = add(p, -capacity) << 1; // "p - capacity was written": free
        }
    }

    // ---------------------------------------------------------------------------------------
    // Positions

    static long pos(long tail) {
        return tail >>> POS_SHIFT;
    }

    static int rxCount(long tail) {
        return (int) (tail >>> 1) & Broadcast.MAX_RECEIVERS;
    }

    /** The signed 43-bit difference {@code a - b} of two positions. */
    static long dist(long a, long b) {
        return ((a - b) << POS_SHIFT) >> POS_SHIFT;
    }

    static long add(long p, long n) {
        return (p + n) & POS_MASK;
    }

    // ---------------------------------------------------------------------------------------
    // Sending

    int send(T value) {
        long w;
        for (; ; ) {
            w = tail;
            if ((w & CLOSED) != 0) {
                Throwable cause = closeCause;
                throw new ClosedException("cannot send: the broadcast channel was closed", cause);
            }
            if (rxCount(w) == 0) {
                throw new ClosedException("cannot send: the broadcast channel has no receivers");
            }
            if (TAIL.compareAndSet(this, w, w + POS_ONE)) { // linearization point of send
                break;
            }
        }
        write(pos(w), value);
        if (waiting != 0) { // volatile read after the volatile publish: Dekker with register
            wake();
        }
        return rxCount(w);
    }

    private void write(long p, Object value) {
        int i = (int) p & mask;
        long previous = add(p, -capacity) << 1;
        for (int spins = 0; (long) SEQ.getAcquire(seqs, i) != previous; spins++) {
            Spin.backOff(spins); // the previous lap's writer has not finished yet
        }
        SEQ.setOpaque(seqs, i, p << 1 | 1);
        VarHandle.storeStoreFence(); // odd stamp before the value: pairs with peek's re-read
        VAL.setOpaque(vals, i, value);
        SEQ.setVolatile(seqs, i, p << 1); // release; pairs with the getAcquires in peek, write
    }

    // ---------------------------------------------------------------------------------------
    // Peeking

    /**
     * Peeks position {@code q}: the value, a {@link LaggedException} (the cursor then moves by its
     * {@code missed()}), {@link #END} or {@link #EMPTY} (only when nothing is reserved at {@code
     * q}). A reserved but unwritten position is waited for, spinning.
     */
    Object peek(long q) {
        int i = (int) q & mask;
        long want = q << 1;
        for (int spins = 0; ; spins++) {
            long s = (long) SEQ.getAcquire(seqs, i); // pairs with setVolatile in write
            if (s == want) {
                Object v = VAL.getOpaque(vals, i);
                VarHandle.acquireFence(); // value read before the stamp re-read
                if ((long) SEQ.getOpaque(seqs, i) != want) {
                    continue; // overwritten while reading: the next round reports the lag
                }
                // The value is q's; it is still current only if q + capacity is not reserved yet
                // (a reserved overwrite has taken effect even before it is written).
                long t = pos(tail); // linearization point of a successful receive
                return dist(t, q) <= capacity ? v : lagged(t, q);
            }
            long w = tail;
            long t = pos(w);
            if (dist(t, q) > capacity) {
                return lagged(t, q); // q + capacity was reserved: q is gone, written or not
            }
            if (t == q) {
                return (w & CLOSED) != 0 ? END : EMPTY;
            }
            Spin.backOff(spins); // reserved, being written: the value is there (linearizability)
        }
    }

    /**
     * The lag of a receiver at {@code q} when the tail is {@code t}: it resumes at t - capacity.
     */
    private LaggedException lagged(long t, long q) {
        return new LaggedException(dist(add(t, -capacity), q));
    }

    /** True if position {@code q} is readable. Volatile reads: Dekker with send. */
    boolean readable(long q) {
        long s = (long) SEQ.getVolatile(seqs, (int) q & mask);
        if (s == q << 1) {
            return true;
        }
        long w = tail;
        long t = pos(w);
        return dist(t, q) > capacity || (t == q && (w & CLOSED) != 0);
    }

    /** The failure of a receive at the end of a channel closed with a cause. */
    ClosedException closedWithCause(Throwable cause) {
        return new ClosedException(
                "cannot receive: the broadcast channel was closed with a cause", cause);
    }

    // ---------------------------------------------------------------------------------------
    // Waiting

    /**
     * Links {@code w} unless its position became readable meanwhile.
     *
     * @return true if linked; false if the caller should peek again ({@code w} never exposed)
     */
    boolean register(Wait<?> w) {
        lock.lock();
        try {
            waiters.addLast(w);
            waiting = waiters.size(); // volatile write, then volatile reads in readable()
            if (readable(w.pos)) {
                waiters.remove(w);
                waiting = waiters.size();
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void unlink(Wait<?> w) {
        lock.lock();
        try {
            waiters.remove(w);
            waiting = waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /** The wake pass: claims every waiter whose position is readable, and fires them. */
    private void wake() {
        FireChain chain = new FireChain();
        lock.lock();
        try {
            collectReadable(chain);
        } finally {
            lock.unlock();
        }
        chain.fireAll();
    }

    /** Under {@code lock}: claims every readable waiter, records its outcome, keeps the rest. */
    private void collectReadable(FireChain chain) {
        WaiterList from = waiters;
        WaiterList keep = spare;
        for (Waiter<?> x; (x = from.pollFirst()) != null; ) {
            Wait<?> w = (Wait<?>) x;
            if (!w.isPending()) {
                continue; // cancelled: its withdraw() finds it unlinked
            }
            if (readable(w.pos) && w.tryClaim()) {
                w.recordOutcome();
                chain.add(w);
            } else {
                keep.addLast(w);
            }
        }
        waiters = keep;
        spare = from;
        waiting = keep.size();
    }

    /**
     * A queued wait for position {@code pos} to become readable; the wake pass claims it and calls
     * {@link #recordOutcome()} under the lock.
     */
    abstract static class Wait<V> extends Waiter<V> {
        final BroadcastShared<?> shared;
        final long pos;

        Wait(BroadcastShared<?> shared, long pos, boolean blocking) {
            super(blocking);
            this.shared = shared;
            this.pos = pos;
        }

        /** Under the lock, after a successful claim of a readable waiter: records its outcome. */
        abstract void recordOutcome();

        @Override
        protected final void withdraw() {
            shared.unlink(this);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Receivers

    Broadcast.Receiver<T> subscribe() {
        long w;
        for (; ; ) {
            w = tail;
            if (rxCount(w) == Broadcast.MAX_RECEIVERS) {
                throw new IllegalStateException(
                        "receiver count must stay at most "
                                + Broadcast.MAX_RECEIVERS
                                + " but was "
                                + Broadcast.MAX_RECEIVERS
                                + " already");
            }
            if (TAIL.compareAndSet(this, w, w + RX_ONE)) {
                break;
            }
        }
        BroadcastCursor<T> c = new BroadcastCursor<>(this, pos(w));
        receivers.add(c);
        return new Broadcast.Receiver<>(c);
    }

    /** A receiver closed: drops the count and completes Sender.closed() at 0. */
    void unsubscribe(BroadcastCursor<T> c) {
        receivers.remove(c);
        long w = (long) TAIL.getAndAdd(this, -RX_ONE);
        if (rxCount(w) == 1) {
            FireChain chain = new FireChain();
            lock.lock();
            try {
                for (Waiter<?> x; (x = noReceiversWaiters.pollFirst()) != null; ) {
                    if (x.tryClaim()) {
                        chain.add(x);
                    }
                }
            } finally {
                lock.unlock();
            }
            chain.fireAll();
        }
    }

    int receiverCount() {
        return rxCount(tail);
    }

    /** Counts a lag that took effect: a receiver's cursor skipped {@code missed} values. */
    void countLag(long missed) {
        LAGGED_TOTAL.getAndAdd(this, missed);
    }

    long laggedTotal() {
        return laggedTotal;
    }

    /** Sender.closed(): a future that completes once the receiver count is 0. */
    CompletableFuture<Void> whenNoReceivers() {
        if (rxCount(tail) == 0) {
            return StackSafeFuture.completed(null);
        }
        NoReceiversWait w = new NoReceiversWait(this);
        lock.lock();
        try {
            if (rxCount(tail) == 0) {
                return StackSafeFuture.completed(null);
            }
            noReceiversWaiters.addLast(w);
        } finally {
            lock.unlock();
        }
        return w.future();
    }

    private void unlinkNoReceivers(NoReceiversWait w) {
        lock.lock();
        try {
            noReceiversWaiters.remove(w);
        } finally {
            lock.unlock();
        }
    }

    /** A wait of {@link Broadcast.Sender#closed()}. */
    private static final class NoReceiversWait extends Waiter<Void> {
        private final BroadcastShared<?> shared;

        NoReceiversWait(BroadcastShared<?> shared) {
            super(false);
            this.shared = shared;
        }

        @Override
        protected void undelivered(Void v) {}

        @Override
        protected void withdraw() {
            shared.unlinkNoReceivers(this);
        }
    }

    /** Sender.len(): the most values some live receiver has yet to read, at most capacity. */
    int senderLen() {
        long t = pos(tail);
        long max = 0;
        for (BroadcastCursor<T> c : receivers) {
            max = Math.max(max, dist(t, c.settledNext()));
        }
        return (int) Math.min(max, capacity);
    }

    // ---------------------------------------------------------------------------------------
    // Closing and sender handle counts

    /** Closes the channel; true if this call closed it. */
    boolean close(Throwable cause) {
        FireChain chain = new FireChain();
        lock.lock();
        try {
            if ((tail & CLOSED) != 0) {
                return false;
            }
            closeCause = cause; // before CLOSED: readers that see CLOSED see the cause
            TAIL.getAndBitwiseOr(this, CLOSED);
            collectReadable(chain);
        } finally {
            lock.unlock();
        }
        chain.fireAll();
        return true;
    }

    boolean isClosed() {
        return (tail & CLOSED) != 0;
    }

    @Override
    void lastStrongClosed() {
        close(null);
    }

    /** For the handles' toString. */
    String describe() {
        long w = tail;
        return "capacity="
                + capacity
                + ", receivers="
                + rxCount(w)
                + ", senders="
                + strong
                + ((w & CLOSED) != 0 ? ", closed" : "");
    }

    // VarHandle mechanics
    private static final VarHandle TAIL;
    private static final VarHandle LAGGED_TOTAL;
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle VAL = MethodHandles.arrayElementVarHandle(Object[].class);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(BroadcastShared.class, "tail", long.class);
            LAGGED_TOTAL = l.findVarHandle(BroadcastShared.class, "laggedTotal", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
