package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * A multi-producer, multi-consumer broadcast channel: every value sent is seen by every receiver
 * subscribed at the time. tokio's {@code sync::broadcast}.
 *
 * <pre>{@code
 * Broadcast.Channel<Event> bus = Broadcast.channel(1024);
 * Broadcast.Receiver<Event> audit = bus.sender().subscribe();
 * bus.sender().send(new Event("started"));           // returns 2: both receivers will see it
 * Event e = bus.receiver().recv().join();
 * }</pre>
 *
 * <ul>
 *   <li><b>Producers</b>: any number of {@link Sender} handles ({@link Sender#clone()}); {@link
 *       Sender#send(Object)} never waits. Weak handles ({@link WeakSender}) do not keep the channel
 *       open.
 *   <li><b>Consumers</b>: any number of {@link Receiver}s, each with its own cursor; a receiver
 *       created by {@link Sender#subscribe()} or {@link Receiver#resubscribe()} sees only values
 *       sent after that call. Each receiver is a single consumer: one receive at a time.
 *   <li><b>Capacity</b>: the ring retains the last {@code capacity} values ({@link #channel(int)}
 *       rounds it up to a power of two). Up to {@code capacity} values stay referenced by the
 *       channel until later sends overwrite them, also after every receiver has read them (tokio
 *       drops a value once every receiver has read it; here it stays until it is overwritten).
 *   <li><b>Lag</b>: a send at capacity overwrites the oldest value. A receiver that had not read it
 *       gets {@link LaggedException} with the exact number of values it missed; its cursor moves to
 *       the oldest retained value, it stays subscribed, and the next receive returns that value. It
 *       may lag again.
 *   <li><b>Ordering</b>: all receivers see the values in one total order, the order in which the
 *       sends took their positions; values of one sender are in that sender's order.
 *   <li><b>Progress</b>: sends and receives take no lock (one CAS per send, one per receive on the
 *       receiver's own state); a send takes a short internal lock only while some receiver waits. A
 *       receive that finds a position claimed by a send still writing it spins (then yields) until
 *       the value is written, so a value whose send has returned is never missed.
 *   <li><b>Closing</b>: when the last strong {@link Sender} closes (or {@link
 *       Sender#closeChannel(Throwable)} is called) no value can be sent; each receiver first reads
 *       what the channel still retains for it, then {@code recv()} completes with {@code null} (end
 *       of stream) or, after {@code closeChannel(cause)}, fails with {@link ClosedException} whose
 *       cause is that cause. When the last receiver closes, sends fail with {@link ClosedException}
 *       until someone subscribes again, and {@link Sender#closed()} completes.
 *   <li><b>Reactive Streams</b> (a Tributary addition): {@link Sender#asPublisher(LagPolicy,
 *       java.util.function.LongConsumer)} is a multicast publisher, one fresh receiver per
 *       subscriber, per-subscriber demand, and a {@link LagPolicy} for subscribers that fall
 *       behind; {@link Receiver#asPublisher(LagPolicy, java.util.function.LongConsumer)} publishes
 *       one receiver (unicast); {@link Sender#asSubscriber()} sends what it receives (unbounded
 *       demand). JDK {@link java.util.concurrent.Flow} forms: {@code asFlowPublisher}, {@code
 *       asFlowSubscriber}.
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before {@link Sender#send(Object)}
 * happen-before actions after a receive that returns that value, in every receiver.
 */
public final class Broadcast {

    /*
     * Implementation overview
     *
     * After tokio's sync/broadcast.rs (a power-of-two ring of slots, each stamped with the
     * position it holds; a receiver whose slot holds another position has lagged), with the
     * locks of the data path replaced by a per-slot seqlock and one CAS word.
     *
     * Positions are 43-bit counters, compared with dist(a, b), the signed 43-bit difference, so
     * they wrap safely (lag counts are exact while a receiver is less than 2^42 values behind).
     *
     * tail (volatile long) = pos << 21 | receiverCount << 1 | CLOSED. pos is the next position to
     * claim. One word, so that a send claims its position, reads the receiver count it returns
     * and checks CLOSED atomically (tokio does this under its tail lock), and subscribe() takes
     * its starting position atomically with incrementing the count: a receiver sees exactly the
     * positions claimed after its subscribe, and send's result counts exactly the receivers that
     * will see it. Send: CAS tail from w (open, count > 0) to w + POS_ONE. Subscribe: CAS
     * w -> w + RX_ONE. Receiver close: getAndAdd(-RX_ONE). Close: set CLOSED under `lock`.
     *
     * Slots: seqs[i] (stamp = pos << 1 | WRITING) and vals[i]. Slot i holds positions i, i + cap,
     * i + 2cap, ... in that order: the writer of p waits until the stamp is (p - cap) << 1, i.e.
     * the previous lap is fully written (it only waits when more senders than slots are in
     * flight), sets the odd stamp p << 1 | 1, a store-store fence, writes the value, and publishes
     * the even stamp p << 1 with a volatile write. An overwrite takes effect when its position is
     * claimed, not when it is written: once q + cap is claimed, q is gone. A reader of position q
     * reads the stamp (acquire): equal to q << 1 -> reads the value, an acquire fence, and
     * re-reads the stamp (seqlock: unchanged means the value is q's), then reads tail: if
     * tail - q <= cap the value is returned (linearization point: that read of tail), otherwise
     * the receiver lagged. Any other stamp: it reads tail; tail - q > cap -> lagged; tail == q ->
     * empty (end of stream if CLOSED); otherwise a sender claimed q and is still writing it, and
     * every receive spins (then yields) until it is written: the window is a few instructions
     * unless that sender is descheduled. Waiting asynchronously there instead would let a
     * cancelled recv() miss a value that len() already counted (BroadcastLincheckTest found it).
     * A lagged receiver missed tail - cap - q values (>= 1) and its cursor jumps to tail - cap
     * (tokio's rule; claimed positions count as sent).
     * Linearization points: send, its successful CAS of tail; subscribe, its CAS; a receive, the
     * read of tail that decides its outcome. BroadcastLincheckTest found the version without the
     * tail check after a successful slot read: a receiver could still read q after another
     * thread had observed the claim of q + cap.
     *
     * Waiting (tokio's waiter list under its tail lock): receivers that find nothing link a
     * Waiter in `waiters` under `lock` and then set `waiting` = the list size (volatile) and
     * re-check their slot with volatile reads; senders publish the stamp with a volatile write
     * and then read `waiting` (volatile). Dekker: one of them sees the other, so either the
     * receiver finds the value or the sender takes the lock and claims the waiter; senders pay
     * for the lock only when someone waits. A sender claims every waiter whose position is ready
     * (published, overwritten, or at the tail of a closed channel), and for an async waiter reads
     * the outcome on the receiver's behalf (under the lock: no user code runs there), then fires
     * them after unlocking (trampolined). A blocking waiter is only woken; its thread reads.
     *
     * Cancel safety without rewinding: a receiver's cursor `next` moves only inside a receive
     * that holds the receiver's `state`, never on a sender's thread.
     * An async waiter records the outcome it delivered and the cursor after it; the next
     * operation on the receiver settles it: if the future holds that very outcome, the cursor
     * moves there; if it was cancelled or completed from outside first, the cursor stays and the
     * value (or the lag) is read again. `state` (null, BUSY or the pending waiter) is CASed on
     * entry to every receive, so a second concurrent receive fails without touching anything.
     * A recv() that finds something returns a complete StackSafeFuture, whose dependents run
     * through the trampoline, so recursive consumers keep a flat stack.
     *
     * Publisher views (BroadcastPublisher): a subscription owns a receiver and polls it with
     * tryRecv on its drain loop. When empty it calls Receiver.whenReadable(): an async WakeWait
     * registered like any waiter at the receiver's position, claimed by the same wake loop, but
     * whose outcome is only TRUE: it consumes nothing and moves no cursor (the drain loop reads
     * for itself, as a blocking receive does). So withdrawing it never has anything to give back;
     * the receiver keeps it in `hook` so that close() withdraws it, and a new call replaces a
     * stale one (the cursor moved on). It is not the pending receive (`state` stays free), so
     * tryRecv works while it is linked.
     *
     * Sender.len(): tokio counts, per slot, the receivers still to read it. Here each receiver's
     * cursor is readable (release-written), and len = min(cap, tail - min cursor) over the live
     * receivers (a registry used only by len()): the same number, without an atomic decrement
     * per slot and receive.
     *
     * Why 43 bits: the count and CLOSED must share the word with the position (see above), and
     * 2^20 - 1 receivers are plenty; wrapping positions cost one shift pair per comparison.
     *
     * Retention: a slot keeps its value until a later lap overwrites it (tokio drops it once
     * every receiver read it, which needs the per-slot count this design avoids).
     *
     * Progress: send is lock-free except when it laps a slot whose previous writer has not
     * finished (more than `capacity` sends in flight); receives are lock-free except that they
     * wait for the writer of a claimed position. Guarded by BroadcastLincheckTest (model
     * checking, cancellation included) and BroadcastRaceTest.
     */

    /** The largest capacity {@link #channel(int)} accepts: 2^30. */
    public static final int MAX_CAPACITY = 1 << 30;

    /** The largest number of receivers a channel can have at once: 2^20 - 1 (1,048,575). */
    public static final int MAX_RECEIVERS = (1 << 20) - 1;

    private static final int POS_BITS = 43;
    private static final int POS_SHIFT = 64 - POS_BITS;
    private static final long POS_MASK = (1L << POS_BITS) - 1;
    private static final long POS_ONE = 1L << POS_SHIFT;
    private static final long RX_ONE = 2L;
    private static final long CLOSED = 1L;

    /** Probe outcome: nothing to read now. */
    private static final Object EMPTY = new Object();

    /** Probe outcome: closed and nothing left for this receiver. */
    private static final Object END = new Object();

    /** Receiver state: a receive is running on some thread. */
    private static final Object BUSY = new Object();

    private Broadcast() {}

    /**
     * Creates a channel with one sender and one receiver: tokio's {@code broadcast::channel}.
     *
     * @param capacity how many values the channel retains, {@code 1..MAX_CAPACITY}; rounded up to
     *     the next power of two (3 becomes 4), which is the number of values a receiver may fall
     *     behind before it lags
     * @param <T> the type of the values
     * @return the sender and the receiver
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Channel<T> channel(int capacity) {
        Shared<T> s = new Shared<>(checkCapacity(capacity));
        return new Channel<>(new Sender<>(s), s.subscribe());
    }

    /**
     * Creates a sender with no receivers yet (tokio's {@code Sender::new}); {@link
     * Sender#subscribe()} creates them. Until then, {@code send} fails and {@link Sender#closed()}
     * is complete.
     *
     * @param capacity as for {@link #channel(int)}
     * @param <T> the type of the values
     * @return a sender
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static <T> Sender<T> sender(int capacity) {
        return new Sender<>(new Shared<T>(checkCapacity(capacity)));
    }

    /** For tests: a channel whose positions start at {@code start}, e.g. just before they wrap. */
    static <T> Channel<T> channelStartingAt(int capacity, long start) {
        Shared<T> s = new Shared<>(checkCapacity(capacity), start);
        return new Channel<>(new Sender<>(s), s.subscribe());
    }

    /** For tests: the largest position before positions wrap around to 0. */
    static final long LAST_POSITION = POS_MASK;

    private static int checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "capacity must be in 1.." + MAX_CAPACITY + " but was " + capacity);
        }
        return capacity == 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
    }

    /**
     * The two ends of a new channel.
     *
     * @param sender the first sender
     * @param receiver the first receiver
     * @param <T> the type of the values
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {}

    // ---------------------------------------------------------------------------------------
    // Positions

    private static long pos(long tail) {
        return tail >>> POS_SHIFT;
    }

    private static int rxCount(long tail) {
        return (int) (tail >>> 1) & MAX_RECEIVERS;
    }

    /** The signed 43-bit difference {@code a - b} of two positions. */
    private static long dist(long a, long b) {
        return ((a - b) << POS_SHIFT) >> POS_SHIFT;
    }

    private static long add(long p, long n) {
        return (p + n) & POS_MASK;
    }

    private static void backOff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    // ---------------------------------------------------------------------------------------
    // The shared state

    /** The ring, the tail word, the waiter lists and the handle counts of one channel. */
    private static final class Shared<T> {
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

        volatile int strong = 1;
        volatile int weak;

        final ReentrantLock lock = new ReentrantLock();

        /** Receivers waiting for a value; guarded by {@code lock}. */
        WaiterList waiters = new WaiterList();

        /** The other list of the wake loop's swap; empty between calls; guarded by {@code lock}. */
        WaiterList spare = new WaiterList();

        /** Sender.closed() waiters; guarded by {@code lock}. */
        final WaiterList closedWaiters = new WaiterList();

        /** Live receivers, for Sender.len() only. */
        final Set<Receiver<T>> receivers = ConcurrentHashMap.newKeySet();

        Shared(int capacity) {
            this(capacity, 0L);
        }

        /** A channel whose first position is {@code start} (tests start near the wrap-around). */
        Shared(int capacity, long start) {
            this.capacity = capacity;
            this.mask = capacity - 1;
            this.seqs = new long[capacity];
            this.vals = new Object[capacity];
            this.tail = (start & POS_MASK) << POS_SHIFT;
            for (int k = 0; k < capacity; k++) {
                long p = add(start, k);
                seqs[(int) p & mask] = add(p, -capacity) << 1; // "p - cap was written": free
            }
        }

        // ---- sending

        int send(T value) {
            long w;
            for (; ; ) {
                w = tail;
                if ((w & CLOSED) != 0) {
                    Throwable cause = closeCause;
                    throw new ClosedException(
                            "cannot send: the broadcast channel was closed", cause);
                }
                if (rxCount(w) == 0) {
                    throw new ClosedException(
                            "cannot send: the broadcast channel has no receivers");
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
                backOff(spins); // the previous lap's writer has not finished yet
            }
            SEQ.setOpaque(seqs, i, p << 1 | 1);
            VarHandle.storeStoreFence(); // odd stamp before the value: pairs with probe's re-read
            VAL.setOpaque(vals, i, value);
            SEQ.setVolatile(seqs, i, p << 1); // release; pairs with getAcquire in probe
        }

        // ---- receiving

        /**
         * Reads position {@code q}: the value, a {@link LaggedException} (the cursor then moves by
         * its {@code missed()}), {@link #END} or {@link #EMPTY} (only when nothing is claimed at
         * {@code q}). A claimed but unwritten position is waited for, spinning.
         */
        Object probe(long q) {
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
                    // The value is q's; it is still current only if q + cap is not claimed yet
                    // (a claimed overwrite has taken effect even before it is written).
                    long t = pos(tail); // linearization point of a successful receive
                    return dist(t, q) <= capacity ? v : lagged(t, q);
                }
                long w = tail;
                long t = pos(w);
                if (dist(t, q) > capacity) {
                    return lagged(t, q); // q + cap was claimed: q is gone, written or not
                }
                if (t == q) {
                    return (w & CLOSED) != 0 ? END : EMPTY;
                }
                backOff(spins); // claimed, being written: the value is there (linearizability)
            }
        }

        /** The lag of a receiver at {@code q} when the tail is {@code t}: it resumes at t - cap. */
        private LaggedException lagged(long t, long q) {
            return new LaggedException(dist(add(t, -capacity), q));
        }

        /** True if a waiter at {@code q} can complete now. Volatile reads: Dekker with send. */
        boolean ready(long q) {
            long s = (long) SEQ.getVolatile(seqs, (int) q & mask);
            if (s == q << 1) {
                return true;
            }
            long w = tail;
            long t = pos(w);
            return dist(t, q) > capacity || (t == q && (w & CLOSED) != 0);
        }

        /**
         * Links {@code w} unless its position became ready meanwhile.
         *
         * @return true if linked; false if the caller should read again ({@code w} never exposed)
         */
        boolean register(Wait<?> w) {
            lock.lock();
            try {
                waiters.addLast(w);
                waiting = waiters.size(); // volatile write, then volatile reads in ready()
                if (ready(w.pos)) {
                    waiters.remove(w);
                    waiting = waiters.size();
                    return false;
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        void unlink(Wait<?> w) {
            lock.lock();
            try {
                waiters.remove(w);
                waiting = waiters.size();
            } finally {
                lock.unlock();
            }
        }

        void wake() {
            FireChain chain = new FireChain();
            lock.lock();
            try {
                collectReady(chain);
            } finally {
                lock.unlock();
            }
            chain.fireAll();
        }

        /** Under {@code lock}: claims every ready waiter, prepares its outcome, keeps the rest. */
        private void collectReady(FireChain chain) {
            WaiterList from = waiters;
            WaiterList keep = spare;
            for (Waiter<?> x; (x = from.pollFirst()) != null; ) {
                Wait<?> w = (Wait<?>) x;
                if (!w.isPending()) {
                    continue; // cancelled: its withdraw() finds it unlinked
                }
                if (ready(w.pos) && w.tryClaim()) {
                    w.prepare();
                    chain.add(w);
                } else {
                    keep.addLast(w);
                }
            }
            waiters = keep;
            spare = from;
            waiting = keep.size();
        }

        // ---- receivers and closing

        Receiver<T> subscribe() {
            long w;
            for (; ; ) {
                w = tail;
                if (rxCount(w) == MAX_RECEIVERS) {
                    throw new IllegalStateException(
                            "receiver count must stay at most "
                                    + MAX_RECEIVERS
                                    + " but was "
                                    + MAX_RECEIVERS
                                    + " already");
                }
                if (TAIL.compareAndSet(this, w, w + RX_ONE)) {
                    break;
                }
            }
            Receiver<T> r = new Receiver<>(this, pos(w));
            receivers.add(r);
            return r;
        }

        void unsubscribe(Receiver<T> r) {
            receivers.remove(r);
            long w = (long) TAIL.getAndAdd(this, -RX_ONE);
            if (rxCount(w) == 1) {
                FireChain chain = new FireChain();
                lock.lock();
                try {
                    for (Waiter<?> x; (x = closedWaiters.pollFirst()) != null; ) {
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

        CompletableFuture<Void> closed() {
            if (rxCount(tail) == 0) {
                return StackSafeFuture.completed(null);
            }
            ClosedWait w = new ClosedWait(this);
            lock.lock();
            try {
                if (rxCount(tail) == 0) {
                    return StackSafeFuture.completed(null);
                }
                closedWaiters.addLast(w);
            } finally {
                lock.unlock();
            }
            return w.future();
        }

        void unlinkClosed(ClosedWait w) {
            lock.lock();
            try {
                closedWaiters.remove(w);
            } finally {
                lock.unlock();
            }
        }

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
                collectReady(chain);
            } finally {
                lock.unlock();
            }
            chain.fireAll();
            return true;
        }

        boolean isClosed() {
            return (tail & CLOSED) != 0;
        }

        /** The failure of a receive at the end of a channel closed with a cause. */
        ClosedException endWith(Throwable cause) {
            return new ClosedException(
                    "cannot receive: the broadcast channel was closed with a cause", cause);
        }

        int senderLen() {
            long t = pos(tail);
            long max = 0;
            for (Receiver<T> r : receivers) {
                max = Math.max(max, dist(t, r.cursor()));
            }
            return (int) Math.min(max, capacity);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Waiters

    /** A queued receive at position {@code pos}. */
    private abstract static class Wait<V> extends Waiter<V> {
        final Shared<?> shared;
        final long pos;

        Wait(Shared<?> shared, long pos, boolean blocking) {
            super(blocking);
            this.shared = shared;
            this.pos = pos;
        }

        /** Under the lock, after a successful claim of a ready waiter: records its outcome. */
        abstract void prepare();

        @Override
        protected final void withdraw() {
            shared.unlink(this);
        }
    }

    /** An async receive; the receiver settles its cursor from it (see the overview). */
    private static final class RecvWait<T> extends Wait<T> {
        /** The outcome delivered: the value, the LaggedException, or null. */
        volatile Object outcome;

        /** The receiver's cursor after the outcome took effect. */
        volatile long nextAfter;

        RecvWait(Shared<T> shared, long pos) {
            super(shared, pos, false);
            this.nextAfter = pos;
        }

        @Override
        void prepare() {
            deliver(shared.probe(pos)); // ready: never spins
        }

        /**
         * Records the probe outcome {@code r} at {@code pos} (not EMPTY) as this waiter's outcome;
         * the caller claimed it and fires it. Used under the lock by {@link #prepare()} and, for a
         * receive deferred inside a completion, by the receiver itself.
         */
        @SuppressWarnings("unchecked")
        void deliver(Object r) {
            if (r instanceof LaggedException) {
                LaggedException e = (LaggedException) r;
                nextAfter = add(pos, e.missed());
                outcome = e;
                setFailure(e);
            } else if (r == END) {
                Throwable cause = shared.closeCause;
                if (cause != null) {
                    setFailure(shared.endWith(cause));
                } else {
                    setValue(null);
                }
            } else {
                nextAfter = add(pos, 1);
                outcome = r;
                setValue((T) r);
            }
        }

        /** True if this waiter's future holds the outcome it delivered (it took effect). */
        boolean tookEffect() {
            CompletableFuture<T> f = future();
            Object o = outcome;
            if (o == null || !f.isDone() || f.isCancelled()) {
                return false;
            }
            if (!f.isCompletedExceptionally()) {
                return f.getNow(null) == o;
            }
            try {
                f.join();
                return false;
            } catch (CompletionException | CancellationException e) {
                return e.getCause() == o;
            }
        }

        @Override
        protected void undelivered(T v) {
            // Nothing to give back: the cursor never moved (the receiver settles it).
        }
    }

    /**
     * A wake-up that consumes nothing: a blocking receive (the parked thread reads for itself) or,
     * async, the wake-up hook of a publisher view ({@link Receiver#whenReadable()}), whose future
     * completes with TRUE once position {@code pos} is ready (a value, a lag, or the end).
     */
    private static final class WakeWait extends Wait<Boolean> {
        WakeWait(Shared<?> shared, long pos, boolean blocking) {
            super(shared, pos, blocking);
        }

        @Override
        void prepare() {
            setValue(Boolean.TRUE);
        }

        @Override
        protected void undelivered(Boolean v) {}
    }

    /** A wait of {@link Sender#closed()}. */
    private static final class ClosedWait extends Waiter<Void> {
        private final Shared<?> shared;

        ClosedWait(Shared<?> shared) {
            super(false);
            this.shared = shared;
        }

        @Override
        protected void undelivered(Void v) {}

        @Override
        protected void withdraw() {
            shared.unlinkClosed(this);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Handles

    /**
     * The sending half: tokio's {@code broadcast::Sender}. Thread-safe; clone it for each producer
     * that should keep the channel open ({@link #clone()}), and close every clone: the channel
     * closes when the last one closes.
     *
     * @param <T> the type of the values
     */
    public static final class Sender<T> implements AutoCloseable {
        private final Shared<T> shared;
        private volatile boolean closed;

        Sender(Shared<T> shared) {
            this.shared = shared;
        }

        /**
         * Sends {@code value} to every receiver subscribed now. Never waits for receivers: at
         * capacity it overwrites the oldest retained value (receivers that had not read it will
         * lag). It spins briefly only in one case: when more sends than the capacity are in flight
         * at once, a send waits for the one a full lap ahead of it to finish writing its slot.
         *
         * <p>Success means the value is in the channel, not that anyone read it. When the last
         * receiver closes, sends fail until {@link #subscribe()} creates a receiver again.
         *
         * @param value the value, non-null
         * @return the number of receivers that will see it (subscribed at the time of the send)
         * @throws ClosedException if there are no receivers, or the channel was closed (its cause,
         *     if closed by {@link #closeChannel(Throwable)}, is the cause)
         * @throws NullPointerException if {@code value} is null
         * @throws IllegalStateException if this handle was closed
         */
        public int send(T value) {
            Objects.requireNonNull(value, "value must not be null");
            checkOpen();
            return shared.send(value);
        }

        /**
         * Creates a receiver that sees the values sent after this call: tokio's {@code subscribe}.
         * Works on a closed channel too (the receiver then reports end of stream). Reopens a
         * channel whose receivers had all closed.
         *
         * @return a new receiver; close it when done
         * @throws IllegalStateException if this handle was closed, or {@link #MAX_RECEIVERS}
         *     receivers exist
         */
        public Receiver<T> subscribe() {
            checkOpen();
            return shared.subscribe();
        }

        /**
         * Returns the number of values retained that some receiver has not read yet: those sent
         * while it was subscribed, not yet overwritten (at most the capacity). Unlike {@link
         * Receiver#len()}, overwritten values do not count. For monitoring, not for synchronization
         * control.
         *
         * @return the number of queued values, {@code 0..capacity}
         */
        public int len() {
            return shared.senderLen();
        }

        /**
         * Returns true if every receiver has read every retained value ({@code len() == 0}).
         *
         * @return whether nothing is queued
         */
        public boolean isEmpty() {
            return len() == 0;
        }

        /**
         * Returns the number of receivers that are subscribed (created and not closed).
         *
         * @return the receiver count
         */
        public int receiverCount() {
            return rxCount(shared.tail);
        }

        /**
         * Waits until the receiver count is 0: tokio's {@code Sender::closed}. Completes at once if
         * there are no receivers now. Once complete it stays complete, even if a receiver is
         * subscribed later (call again to wait for that one).
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code orTimeout}) withdraws the
         *       wait; nothing else changes. Cancelling a dependent stage does not reach it.
         *   <dt>Fairness
         *   <dd>None needed: every waiter completes when the count reaches 0.
         *   <dt>Completion thread
         *   <dd>The thread that closed the last receiver (trampolined), after internal locks are
         *       released; or the caller's, when already complete.
         * </dl>
         *
         * @return a future that completes with null when no receiver is left
         * @throws IllegalStateException if this handle was closed
         */
        public CompletableFuture<Void> closed() {
            checkOpen();
            return shared.closed();
        }

        /**
         * Returns a new strong handle to the same channel; the channel stays open until every
         * strong handle is closed.
         *
         * @return a new sender; close it when done
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public Sender<T> clone() {
            checkOpen();
            STRONG.getAndAdd(shared, 1);
            return new Sender<>(shared);
        }

        /**
         * Returns a weak handle, which does not keep the channel open but can be {@linkplain
         * WeakSender#upgrade() upgraded} while some strong handle exists.
         *
         * @return a new weak sender
         * @throws IllegalStateException if this handle was closed
         */
        public WeakSender<T> downgrade() {
            checkOpen();
            WEAK.getAndAdd(shared, 1);
            return new WeakSender<>(shared);
        }

        /**
         * Returns the number of open strong sender handles.
         *
         * @return the strong count
         */
        public int strongCount() {
            return shared.strong;
        }

        /**
         * Returns the number of open weak sender handles.
         *
         * @return the weak count
         */
        public int weakCount() {
            return shared.weak;
        }

        /**
         * Returns true if {@code other} sends into the same channel.
         *
         * @param other another sender
         * @return whether both belong to one channel
         */
        public boolean sameChannel(Sender<?> other) {
            return other.shared == shared;
        }

        /**
         * Closes this handle; when it is the last strong handle, the channel closes: receivers read
         * what is retained, then reach the end of stream. Idempotent.
         */
        @Override
        public void close() {
            if (CLOSED_SENDER.compareAndSet(this, false, true)
                    && (int) STRONG.getAndAdd(shared, -1) == 1) {
                shared.close(null);
            }
        }

        /**
         * Closes the whole channel with a cause, for every handle, and closes this handle. Sends
         * fail from now on; each receiver reads what is retained for it, then every receive fails
         * with {@link ClosedException} whose {@link Throwable#getCause()} is {@code cause}.
         *
         * @param cause why the channel closed, non-null
         * @return true if this call closed the channel; false if it was closed already (the cause
         *     is then ignored)
         * @throws NullPointerException if {@code cause} is null
         * @throws IllegalStateException if this handle was closed
         */
        public boolean closeChannel(Throwable cause) {
            Objects.requireNonNull(cause, "cause must not be null");
            checkOpen();
            boolean closedIt = shared.close(cause);
            close();
            return closedIt;
        }

        // ---- Reactive Streams views

        /**
         * Returns a multicast {@link Publisher} of this channel: each {@code subscribe} creates a
         * fresh receiver, so every subscriber sees the values sent after its own {@code subscribe}
         * call, at its own pace. The same as {@link #asPublisher(LagPolicy, LongConsumer)
         * asPublisher(policy, null)}.
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @return a publisher view of this channel
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy) {
            return asPublisher(policy, null);
        }

        /**
         * Returns a multicast {@link Publisher} of this channel. A Tributary addition: tokio has no
         * counterpart.
         *
         * <ul>
         *   <li><b>Subscribers</b>: any number. Each {@code subscribe(s)} calls {@link
         *       #subscribe()} at once, before {@code s.onSubscribe}: the subscriber sees every
         *       value sent after that call, also those sent before its first {@code request} (the
         *       channel retains them, up to the capacity). The publisher is lazy: nothing is
         *       registered until {@code subscribe}. It does not depend on this handle staying open;
         *       subscribing after the channel closed completes at once (or fails with the cause).
         *   <li><b>Demand</b>: per subscriber; a subscriber receives at most what it requested.
         *       Senders never wait for subscribers: a subscriber whose demand does not keep up lags
         *       once more than the capacity of values arrive unread, and {@code policy} decides:
         *       {@link LagPolicy#ERROR} signals {@code onError(LaggedException)} with the exact
         *       {@link LaggedException#missed()} count (and closes its receiver); {@link
         *       LagPolicy#SKIP} calls {@code onLag} with that count and continues with the oldest
         *       retained value. A lag is noticed when the subscriber next has demand.
         *   <li><b>Terminal signals</b>: {@code onComplete} once the channel closed (the last
         *       strong sender closed) and this subscriber received everything retained for it;
         *       after {@link #closeChannel(Throwable)}, {@code onError(cause)} with that cause
         *       itself, also after everything retained was received. Both may come without demand
         *       once nothing is left to deliver. The subscriber's receiver is closed before the
         *       terminal signal.
         *   <li><b>Rules</b>: {@code subscribe(null)} throws {@link NullPointerException}; {@code
         *       request(n <= 0)} cancels and signals {@code onError(IllegalArgumentException)};
         *       demand adds up to at most {@link Long#MAX_VALUE} (unbounded). When no receiver can
         *       be created ({@link #MAX_RECEIVERS}), {@code onSubscribe} then {@code onError(
         *       IllegalStateException)}. An {@code onNext} that throws is treated as a
         *       cancellation.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>{@code cancel()} closes that subscriber's receiver (the receiver count drops; the
         *       channel retains nothing for it) and withdraws its wake-up; values it had not
         *       received are simply not delivered; other subscribers and receivers are unaffected.
         *       The subscription then drops its reference to the subscriber.
         *   <dt>Fairness
         *   <dd>None needed: every subscriber has its own receiver and cursor, and a send wakes
         *       every subscriber waiting for it.
         *   <dt>Completion thread
         *   <dd>{@code onNext} and the terminal signals run, one at a time and never recursively,
         *       on the thread that requested (delivering what is already there), or, when the
         *       subscriber was waiting with outstanding demand, on the thread whose send (or close)
         *       woke it, inside that {@code send}, which returns once this subscriber's drain found
         *       the channel empty again or its demand used up. A slow {@code onNext} therefore
         *       slows that sending thread, not the channel; hand off with Reactor's {@code
         *       publishOn} if that matters. {@code onLag} runs on the same thread, just before the
         *       oldest retained value is delivered.
         *   <dt>Memory
         *   <dd>In steady state (values flowing while demand is outstanding) no allocation per
         *       element: the view polls its receiver without waiting and registers a wake-up (a
         *       waiter and its future) only when the channel is empty.
         * </dl>
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @param onLag under {@link LagPolicy#SKIP}, called with the exact number of values a
         *     subscriber missed each time it lags (on the delivering thread); may be null. If it
         *     throws, that subscriber's receiver is closed and the subscriber gets {@code onError}
         *     with the thrown exception. Ignored under {@link LagPolicy#ERROR}.
         * @return a publisher view of this channel
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy, LongConsumer onLag) {
            Objects.requireNonNull(policy, "policy must not be null");
            checkOpen();
            return BroadcastPublisher.multicast(shared::subscribe, policy, onLag);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy)}.
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy));
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy, LongConsumer)}.
         *
         * @param policy what a subscriber that falls more than the capacity behind gets
         * @param onLag as for {@link #asPublisher(LagPolicy, LongConsumer)}; may be null
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy, onLag))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy, LongConsumer onLag) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy, onLag));
        }

        /**
         * Returns a {@link Subscriber} that sends every element it receives through this handle,
         * taking the handle over. A Tributary addition: tokio has no counterpart. {@link #clone()}
         * first if you want to keep sending from elsewhere.
         *
         * <ul>
         *   <li><b>Demand</b>: unbounded ({@code request(Long.MAX_VALUE)} in {@code onSubscribe}):
         *       sends never wait; subscribers of the channel that do not keep up lag, as with
         *       {@link #send(Object)}.
         *   <li><b>onNext</b>: {@link #send(Object)}. A value sent while no receiver exists is
         *       dropped, exactly as {@code send} documents (it fails, and the element is not
         *       retained); the view keeps going, since a receiver may subscribe later. Once the
         *       channel is closed (by another handle), upstream is cancelled and further elements
         *       are ignored.
         *   <li><b>onComplete</b>: closes this handle ({@link #close()}); the channel closes if it
         *       was the last strong handle.
         *   <li><b>onError(e)</b>: {@link #closeChannel(Throwable) closeChannel(e)}: receivers read
         *       what is retained, then fail with {@link ClosedException} caused by {@code e};
         *       publisher views signal {@code onError(e)}.
         *   <li><b>Rules</b>: one upstream; a second {@code onSubscribe} is cancelled. Null
         *       arguments throw {@link NullPointerException}.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>The view cancels its upstream once the channel is closed (by another handle) or
         *       this handle was closed from elsewhere; never because nobody is subscribed right
         *       now.
         *   <dt>Completion thread
         *   <dd>Each {@code send} runs on the upstream's {@code onNext} thread and may complete
         *       waiting receivers (and deliver to waiting publisher views) there, trampolined.
         * </dl>
         *
         * @return a subscriber view of this handle
         * @throws IllegalStateException if this handle was closed
         */
        public Subscriber<T> asSubscriber() {
            checkOpen();
            return new BroadcastSubscriber<>(this);
        }

        /**
         * The JDK {@link Flow} form of {@link #asSubscriber()}.
         *
         * @return {@code FlowAdapters.toFlowSubscriber(asSubscriber())}
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Subscriber<T> asFlowSubscriber() {
            return FlowAdapters.toFlowSubscriber(asSubscriber());
        }

        /** For the subscriber view: whether the channel (not only this handle) is closed. */
        boolean isChannelClosed() {
            return shared.isClosed();
        }

        /** For tests and monitoring: the number of queued receive waits. */
        int waitingReceivers() {
            return shared.waiting;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("this Broadcast.Sender handle was closed");
            }
        }

        @Override
        public String toString() {
            return "Broadcast.Sender[" + describe(shared) + (closed ? ", handle closed]" : "]");
        }
    }

    /**
     * A sender handle that does not keep the channel open: tokio's {@code broadcast::WeakSender}.
     * {@link #upgrade()} turns it into a {@link Sender} while some strong handle exists.
     *
     * @param <T> the type of the values
     */
    public static final class WeakSender<T> implements AutoCloseable {
        private final Shared<T> shared;
        private volatile boolean closed;

        WeakSender(Shared<T> shared) {
            this.shared = shared;
        }

        /**
         * Returns a new strong sender if some strong handle is still open.
         *
         * @return a new sender (close it when done), or null if every strong handle was closed
         * @throws IllegalStateException if this handle was closed
         */
        public Sender<T> upgrade() {
            checkOpen();
            for (int n = shared.strong; n > 0; n = shared.strong) {
                if (STRONG.compareAndSet(shared, n, n + 1)) {
                    return new Sender<>(shared);
                }
            }
            return null;
        }

        /**
         * Returns the number of open strong sender handles.
         *
         * @return the strong count
         */
        public int strongCount() {
            return shared.strong;
        }

        /**
         * Returns the number of open weak sender handles.
         *
         * @return the weak count
         */
        public int weakCount() {
            return shared.weak;
        }

        /**
         * Returns a new weak handle to the same channel.
         *
         * @return a new weak sender
         * @throws IllegalStateException if this handle was closed
         */
        @Override
        public WeakSender<T> clone() {
            checkOpen();
            WEAK.getAndAdd(shared, 1);
            return new WeakSender<>(shared);
        }

        /** Closes this handle (lowers the weak count). Idempotent. */
        @Override
        public void close() {
            if (CLOSED_WEAK.compareAndSet(this, false, true)) {
                WEAK.getAndAdd(shared, -1);
            }
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("this Broadcast.WeakSender handle was closed");
            }
        }

        @Override
        public String toString() {
            return "Broadcast.WeakSender[" + describe(shared) + (closed ? ", handle closed]" : "]");
        }
    }

    /**
     * The receiving half: tokio's {@code broadcast::Receiver}, with its own cursor into the
     * channel. A single consumer: one receive at a time ({@code recv}, {@code tryRecv} or a
     * blocking receive); a second one while the first is pending or running fails with {@link
     * IllegalStateException} and changes nothing. The queries ({@link #len()}, {@link #isEmpty()},
     * {@link #isClosed()}) may be called from any thread.
     *
     * <p>Close a receiver you no longer read ({@link #close()}): until then it counts in {@link
     * Sender#receiverCount()} and in {@link Sender#len()}.
     *
     * @param <T> the type of the values
     */
    public static final class Receiver<T> implements AutoCloseable {
        private final Shared<T> shared;

        /** The next position to read; written by the receiving thread (release), read by len(). */
        private long next;

        /** null (idle), BUSY (a receive runs), or the pending RecvWait. */
        private volatile Object state;

        private volatile boolean closed;

        /** The publisher view's pending wake-up ({@link #whenReadable()}), or null. */
        private volatile WakeWait hook;

        Receiver(Shared<T> shared, long next) {
            this.shared = shared;
            this.next = next;
        }

        /**
         * Receives the next value: tokio's {@code Receiver::recv}. The returned future is already
         * complete when a value (or the end, or a lag) is there.
         *
         * <p>Outcomes: the next value in send order; {@code null} once the channel is closed and
         * this receiver read everything retained for it (end of stream); fails with {@link
         * LaggedException} if values were overwritten before this receiver read them (the cursor
         * then moves to the oldest retained value, which the next receive returns); fails with
         * {@link ClosedException} carrying the cause, instead of {@code null}, after {@link
         * Sender#closeChannel(Throwable)}.
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>Cancel-safe: cancelling the returned future (or {@code completeExceptionally},
         *       {@code orTimeout}) consumes nothing. If a value reached the future first, the
         *       future keeps it and the receiver moves past it; otherwise the next receive returns
         *       that value (or reports that lag). Cancelling a dependent stage ({@code
         *       recv().thenApply(f)}) does not reach this future.
         *   <dt>Fairness
         *   <dd>None needed: every receiver has its own cursor; a send completes every receiver
         *       waiting for it.
         *   <dt>Completion thread
         *   <dd>Already complete when something is there (a value, a lag or the end of the stream);
         *       otherwise completed by the thread whose send (or close) made it ready, trampolined,
         *       after internal locks are released. Dependents are <a
         *       href="package-summary.html#stack-safety">stack-safe</a>: a loop written as
         *       recursion ({@code recv().thenAccept(v -> loop())}) keeps a flat stack.
         * </dl>
         *
         * @return a future of the value, or of null at the end of the stream
         * @throws IllegalStateException if a receive is already pending on this receiver, or this
         *     handle was closed
         */
        public CompletableFuture<T> recv() {
            enter();
            for (; ; ) {
                long q = next;
                Object r = shared.probe(q);
                if (r == EMPTY) {
                    RecvWait<T> w = new RecvWait<>(shared, q);
                    state = w; // pending from here: a completion settles, a second recv fails
                    if (shared.register(w)) {
                        return w.future(); // the state now belongs to w
                    }
                    state = BUSY;
                    continue;
                }
                try {
                    return StackSafeFuture.completed(take(q, r));
                } catch (LaggedException | ClosedException e) {
                    return StackSafeFuture.failed(e);
                } finally {
                    state = null;
                }
            }
        }

        /**
         * Receives the next value if there is one, without waiting: tokio's {@code try_recv}. Never
         * spuriously empty: a value whose send has returned is seen.
         *
         * @return the next value, or null if there is none now
         * @throws LaggedException if values were overwritten before this receiver read them (the
         *     next call returns the oldest retained value)
         * @throws ClosedException if the channel is closed and this receiver read everything (its
         *     cause is the {@link Sender#closeChannel(Throwable)} cause, if any)
         * @throws IllegalStateException if a receive is pending on this receiver, or this handle
         *     was closed
         */
        public T tryRecv() {
            enter();
            try {
                long q = next;
                Object r = shared.probe(q);
                if (r == EMPTY) {
                    return null;
                }
                if (r == END && shared.closeCause == null) {
                    throw new ClosedException(
                            "cannot receive: the broadcast channel was closed and is drained");
                }
                return take(q, r);
            } finally {
                state = null;
            }
        }

        /**
         * Receives the next value, parking the current thread until there is one: tokio's {@code
         * blocking_recv}. Outcomes as {@link #recv()}.
         *
         * <dl>
         *   <dt>Blocking
         *   <dd>Parks with {@code LockSupport} (fine on virtual threads) until a value, a lag or
         *       the end is there; first it re-checks for a few microseconds (32 spins, then 32
         *       {@code Thread.yield()}s), so a receiver that keeps up with the sender does not pay
         *       a park and an unpark per value. Fails fast with {@link IllegalStateException} on a
         *       Reactor non-blocking thread. Waits forever if nothing is sent and the channel never
         *       closes.
         *   <dt>Cancellation
         *   <dd>Interruption (and, for the timed form, the timeout) withdraws the wait like {@code
         *       cancel()} on {@link #recv()}: if it wins, {@link InterruptedException} is thrown
         *       (or null returned) and nothing is consumed; if a send woke this thread first, the
         *       value is returned and the interrupt status is set again. A thread interrupted on
         *       entry throws at once.
         *   <dt>Fairness
         *   <dd>As {@link #recv()}: every waiting receiver is woken by the send it waits for.
         * </dl>
         *
         * @return the next value, or null at the end of the stream
         * @throws InterruptedException if interrupted while waiting
         * @throws LaggedException if this receiver lagged (see {@link #recv()})
         * @throws ClosedException at the end of a channel closed with a cause
         * @throws IllegalStateException if a receive is pending on this receiver, or this handle
         *     was closed
         */
        public T blockingRecv() throws InterruptedException {
            BlockingCheck.check("Broadcast.Receiver.blockingRecv");
            return receiveBlocking(Long.MAX_VALUE);
        }

        /**
         * Receives the next value, parking the current thread for at most {@code timeout}. Null
         * means either timeout or end of stream: tell them apart with {@code isClosed() &&
         * isEmpty()}. See {@link #blockingRecv()} for the interrupt contract.
         *
         * @param timeout the longest wait; zero or negative means "do not wait"
         * @return the next value, or null on timeout or at the end of the stream
         * @throws InterruptedException if interrupted while waiting
         * @throws LaggedException if this receiver lagged (see {@link #recv()})
         * @throws ClosedException at the end of a channel closed with a cause
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalStateException if a receive is pending on this receiver, or this handle
         *     was closed
         */
        public T blockingRecv(Duration timeout) throws InterruptedException {
            long deadline = BlockingCheck.deadlineOf(timeout);
            BlockingCheck.check("Broadcast.Receiver.blockingRecv");
            return receiveBlocking(deadline);
        }

        /**
         * Creates a new receiver of the same channel that starts at the tail: it sees the values
         * sent after this call, not those this receiver has yet to read.
         *
         * @return a new receiver; close it when done
         * @throws IllegalStateException if this handle was closed, or {@link #MAX_RECEIVERS}
         *     receivers exist
         */
        public Receiver<T> resubscribe() {
            if (closed) {
                throw handleClosed();
            }
            return shared.subscribe();
        }

        // ---- Reactive Streams views

        /**
         * Returns a unicast {@link Publisher} of this receiver. The same as {@link
         * #asPublisher(LagPolicy, LongConsumer) asPublisher(policy, null)}.
         *
         * @param policy what the subscriber gets when this receiver lags
         * @return a publisher view of this receiver
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy) {
            return asPublisher(policy, null);
        }

        /**
         * Returns a unicast {@link Publisher} of this receiver: its subscriber takes this receiver
         * over and reads from its cursor on. A Tributary addition: tokio has no counterpart. For a
         * publisher that gives each subscriber a receiver of its own, use {@link
         * Sender#asPublisher(LagPolicy, LongConsumer)}.
         *
         * <ul>
         *   <li><b>Subscribers</b>: one. A second {@code subscribe} gets {@code onSubscribe} then
         *       {@code onError(IllegalStateException)}, also after the first one ended. Do not
         *       receive from this receiver yourself once subscribed (a receive of yours that is
         *       pending makes the subscriber fail with {@link IllegalStateException}).
         *   <li><b>Demand, lag, terminal signals, rules</b>: as for {@link
         *       Sender#asPublisher(LagPolicy, LongConsumer)}: at most the demand; {@link
         *       LagPolicy#ERROR} signals {@code onError(LaggedException)}, {@link LagPolicy#SKIP}
         *       reports the exact missed count to {@code onLag} and continues at the oldest
         *       retained value; {@code onComplete} when the channel closed and this receiver read
         *       everything, or {@code onError(cause)} after {@link Sender#closeChannel(Throwable)}.
         *       This receiver is closed before a terminal signal. If it is closed from outside
         *       meanwhile, the subscriber gets {@code onError(IllegalStateException)}.
         * </ul>
         *
         * <dl>
         *   <dt>Cancellation
         *   <dd>{@code cancel()} closes this receiver (the receiver count drops) and withdraws its
         *       wake-up.
         *   <dt>Completion thread
         *   <dd>As for {@link Sender#asPublisher(LagPolicy, LongConsumer)}: the requesting thread,
         *       or the sending (closing) thread that woke a waiting subscriber; never recursively.
         * </dl>
         *
         * @param policy what the subscriber gets when this receiver lags
         * @param onLag under {@link LagPolicy#SKIP}, called with the exact missed count of each
         *     lag, on the delivering thread; may be null; if it throws, the receiver is closed and
         *     the subscriber gets {@code onError} with the thrown exception
         * @return a publisher view of this receiver
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Publisher<T> asPublisher(LagPolicy policy, LongConsumer onLag) {
            Objects.requireNonNull(policy, "policy must not be null");
            if (closed) {
                throw handleClosed();
            }
            return BroadcastPublisher.unicast(this, policy, onLag);
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy)}.
         *
         * @param policy what the subscriber gets when this receiver lags
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy));
        }

        /**
         * The JDK {@link Flow} form of {@link #asPublisher(LagPolicy, LongConsumer)}.
         *
         * @param policy what the subscriber gets when this receiver lags
         * @param onLag as for {@link #asPublisher(LagPolicy, LongConsumer)}; may be null
         * @return {@code FlowAdapters.toFlowPublisher(asPublisher(policy, onLag))}
         * @throws NullPointerException if {@code policy} is null
         * @throws IllegalStateException if this handle was closed
         */
        public Flow.Publisher<T> asFlowPublisher(LagPolicy policy, LongConsumer onLag) {
            return FlowAdapters.toFlowPublisher(asPublisher(policy, onLag));
        }

        /**
         * Returns the number of values sent since this receiver's cursor that it has not read,
         * including values already overwritten: more than the capacity means the next receive
         * reports a lag. For monitoring, not for synchronization control.
         *
         * @return the number of unread values (saturated at {@link Integer#MAX_VALUE})
         */
        public int len() {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, dist(pos(shared.tail), cursor())));
        }

        /**
         * Returns true if this receiver has read everything sent so far ({@code len() == 0}).
         *
         * @return whether nothing is unread
         */
        public boolean isEmpty() {
            return len() == 0;
        }

        /**
         * Returns true if the channel is closed: every strong sender handle closed, or {@link
         * Sender#closeChannel(Throwable)} was called. Values may remain to be read.
         *
         * @return whether the channel is closed
         */
        public boolean isClosed() {
            return shared.isClosed();
        }

        /**
         * Returns the number of open strong sender handles (tokio's {@code sender_strong_count}).
         *
         * @return the strong count
         */
        public int senderStrongCount() {
            return shared.strong;
        }

        /**
         * Returns the number of open weak sender handles (tokio's {@code sender_weak_count}).
         *
         * @return the weak count
         */
        public int senderWeakCount() {
            return shared.weak;
        }

        /**
         * Returns true if {@code other} receives from the same channel.
         *
         * @param other another receiver
         * @return whether both belong to one channel
         */
        public boolean sameChannel(Receiver<?> other) {
            return other.shared == shared;
        }

        /**
         * Closes this receiver: its unread values count as read (for {@link Sender#len()}) and the
         * receiver count drops, which may complete {@link Sender#closed()} and make sends fail. A
         * receive still pending is cancelled (as {@code Watch.Receiver.close()} does), so it
         * consumed nothing. Idempotent.
         */
        @Override
        public void close() {
            if (!CLOSED_RECEIVER.compareAndSet(this, false, true)) {
                return;
            }
            Object s = state;
            if (s instanceof RecvWait) {
                ((RecvWait<?>) s).future().cancel(false);
            }
            WakeWait h = hook; // volatile read after the closed CAS: Dekker with whenReadable
            if (h != null) {
                h.future().cancel(false); // withdraws it: nothing stays linked for this receiver
            }
            shared.unsubscribe(this);
        }

        @Override
        public String toString() {
            return "Broadcast.Receiver[len="
                    + len()
                    + ", "
                    + describe(shared)
                    + (closed ? ", handle closed]" : "]");
        }

        // ---- internals

        /**
         * The publisher views' wake-up: a future that completes with TRUE once the next receive
         * would not find the channel empty (a value, a lag, or the end), or null if that is so
         * already. Consumes nothing and moves no cursor, so a cancelled or stale wake-up loses
         * nothing; the view polls with {@link #tryRecv()} when it fires. While the returned future
         * is pending for the current position, calling again returns the same future; a pending one
         * left behind by a cursor that moved on is withdrawn. {@link #close()} withdraws it.
         * Allocates (a waiter and its future) only when it returns a new future.
         *
         * @throws IllegalStateException as {@link #tryRecv()}
         */
        CompletableFuture<Boolean> whenReadable() {
            enter();
            try {
                long q = next;
                WakeWait h = hook;
                if (h != null) {
                    if (h.pos == q && !h.future().isDone()) {
                        return h.future(); // still waiting for this position
                    }
                    hook = null;
                    h.future().cancel(false); // stale (the cursor moved on) or done: withdraw
                }
                WakeWait w = new WakeWait(shared, q, false);
                if (!shared.register(w)) {
                    return null; // ready meanwhile: poll again
                }
                hook = w; // volatile write, then the read of closed: Dekker with close()
                if (closed) {
                    hook = null;
                    w.future().cancel(false);
                }
                return w.future();
            } finally {
                state = null;
            }
        }

        /** Takes the single-consumer guard, settling a completed previous recv. */
        private void enter() {
            if (closed) {
                throw handleClosed();
            }
            for (; ; ) {
                Object s = state;
                if (s == null) {
                    if (STATE.compareAndSet(this, null, BUSY)) {
                        return;
                    }
                } else if (s instanceof RecvWait && ((RecvWait<?>) s).future().isDone()) {
                    if (STATE.compareAndSet(this, s, BUSY)) {
                        RecvWait<?> w = (RecvWait<?>) s;
                        if (w.tookEffect()) {
                            setNext(w.nextAfter);
                        }
                        return;
                    }
                } else {
                    throw new IllegalStateException(
                            "a receive is already pending on this Broadcast.Receiver: it is a single"
                                    + " consumer, one receive at a time");
                }
            }
        }

        /** Applies a probe outcome at {@code q} that is not EMPTY; moves the cursor. */
        @SuppressWarnings("unchecked")
        private T take(long q, Object r) {
            if (r == END) {
                Throwable cause = shared.closeCause;
                if (cause != null) {
                    throw shared.endWith(cause);
                }
                return null;
            }
            if (r instanceof LaggedException) {
                LaggedException e = (LaggedException) r;
                setNext(add(q, e.missed()));
                throw e;
            }
            setNext(add(q, 1));
            return (T) r;
        }

        private T receiveBlocking(long deadline) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            enter();
            try {
                int probes = 0; // bounded re-probe before a waiter and a park, see Spin
                for (; ; ) {
                    long q = next;
                    Object r = shared.probe(q);
                    if (r != EMPTY) {
                        return take(q, r);
                    }
                    if (probes < Spin.BUDGET) {
                        Spin.backOff(probes++);
                        continue;
                    }
                    if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
                        return null;
                    }
                    WakeWait w = new WakeWait(shared, q, true);
                    if (shared.register(w)
                            && w.awaitBlocking(deadline, Boolean.FALSE) == Boolean.FALSE) {
                        return null; // timed out and withdrawn
                    }
                }
            } finally {
                state = null;
            }
        }

        private void setNext(long n) {
            NEXT.setRelease(this, n); // release; pairs with the getAcquire in cursor()
        }

        /** The cursor as seen by any thread, counting a completed, unsettled recv. */
        long cursor() {
            Object s = state;
            if (s instanceof RecvWait) {
                RecvWait<?> w = (RecvWait<?>) s;
                if (w.tookEffect()) {
                    return w.nextAfter;
                }
            }
            return (long) NEXT.getAcquire(this);
        }

        private static IllegalStateException handleClosed() {
            return new IllegalStateException("this Broadcast.Receiver handle was closed");
        }
    }

    private static String describe(Shared<?> s) {
        long w = s.tail;
        return "capacity="
                + s.capacity
                + ", receivers="
                + rxCount(w)
                + ", senders="
                + s.strong
                + ((w & CLOSED) != 0 ? ", closed" : "");
    }

    // VarHandle mechanics
    private static final VarHandle TAIL;
    private static final VarHandle STRONG;
    private static final VarHandle WEAK;
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle VAL = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle STATE;
    private static final VarHandle NEXT;
    private static final VarHandle CLOSED_SENDER;
    private static final VarHandle CLOSED_WEAK;
    private static final VarHandle CLOSED_RECEIVER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(Shared.class, "tail", long.class);
            STRONG = l.findVarHandle(Shared.class, "strong", int.class);
            WEAK = l.findVarHandle(Shared.class, "weak", int.class);
            STATE = l.findVarHandle(Receiver.class, "state", Object.class);
            NEXT = l.findVarHandle(Receiver.class, "next", long.class);
            CLOSED_SENDER = l.findVarHandle(Sender.class, "closed", boolean.class);
            CLOSED_WEAK = l.findVarHandle(WeakSender.class, "closed", boolean.class);
            CLOSED_RECEIVER = l.findVarHandle(Receiver.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
