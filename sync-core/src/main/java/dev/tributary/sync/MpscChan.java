package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.ClaimFuture;
import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.MpscQueue;
import dev.tributary.sync.internal.ShortLock;
import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The shared state of one mpsc channel, bounded or unbounded: every handle of {@link Mpsc}
 * delegates here.
 *
 * @param <T> the element type
 */
final class MpscChan<T> extends SenderCounts {

    /*
     * Implementation overview
     *
     * A channel is one MpscChan: the lock-free MpscQueue (tokio's block list) for the data, the
     * capacity strategy (MpscCapacity: Bounded over a BatchSemaphore, as tokio's bounded
     * semaphore; Unbounded, a counter `count = messages << 1 | CLOSED_BIT`, as tokio's unbounded
     * one), the receiver's single waiter `rx` (an MpscReceiveWaiter), and the handle counts. Both
     * flavours run the same code below; they differ only in the capacity object.
     *
     * Permits. A send acquires a permit (one slot), pushes, and the receiver releases the permit
     * after it takes the message; so the free permits are capacity - queued - reserved, and
     * "closed and idle" (closed, every permit back) means that nothing is queued and nothing can
     * be sent any more: that is the end of the stream. An unbounded channel's permits never run
     * out; its counter plays the same role.
     *
     * The receiver's waiter (no lost wake-up). A receive that finds nothing publishes its waiter
     * in `rx` (volatile write), then re-checks "head slot ready, or closed and idle" (volatile
     * reads). A producer pushes (a volatile read-modify-write of the block's ready bits), then
     * reads `rx`; if the waiter is pending and the same condition holds, it claims the waiter
     * (MpscReceiveWaiter.tryClaim, a CAS). Closing re-runs the producer's check, and so does
     * every permit released after close (the BatchSemaphore runs wakeReceiver after such a
     * release, also for a grant handed back by a cancelled reservation), so the end of the stream
     * is never missed. While a waiter is published the consumer role belongs to it: whoever
     * claims it (a producer, a closer, or the receiver's own re-check) takes the messages out of
     * the queue on its behalf (receiveFor) and then clears `rx`. Because the condition is stable
     * while the consumer waits (the head does not move, a ready slot stays ready), a claimer
     * always finds what it was woken for.
     *
     * Access modes. Sequential consistency is needed exactly for that sleep/wake re-check, a
     * Dekker pattern over two variables: the receiver's write of `rx` (setVolatile in park and
     * parkBlocking; the view's volatile write of its state in armView) before its reads of the
     * queue's ready bits and of the capacity, against the producer's read-modify-write of the
     * ready bits (MpscQueue.push), the closer's read-modify-write of the capacity (close) or the
     * releaser's (release after close), each before its volatile read of `rx` (wakeReceiver).
     * With both sides volatile, at least one sees the other. Everything else is acquire/release:
     * the claim CAS hands the consumer role to the claimer (and with it the plain reads of the
     * queue's consumer fields); the CAS that clears `rx` hands it back; the queue's slot
     * publication is release/acquire (see MpscQueue); `closeCause` is written (CAS) before the
     * capacity is closed and read after closed is seen; the blocking waiter's `fired` is a
     * release write read with acquire (Spin.park). The handle counts are plain atomic counters.
     *
     * Cancellation. An async receive's future is a ClaimFuture: the claim CAS above and an
     * external completion (cancel, orTimeout) race on one word, decided before anything is taken.
     * A cancel that wins unpublishes the waiter, and nothing was consumed; a claim that wins takes
     * the messages (appends them to the recvMany buffer) and completes the future, and the
     * external completion returns false. So a value never has to be handed back. A bounded send
     * that has to wait is a ClaimFuture (SendFuture) over the capacity's acquisition: whoever wins
     * its claim decides whether the granted permit pushes the value or is released.
     *
     * Blocking receives reuse one waiter per channel (no allocation per message): a producer that
     * claims it only unparks the thread, which then takes the message itself; a stale claim (of a
     * previous use) only causes a spurious wake-up, after which the receiver looks again. The
     * thread parks in Spin.park, the park loop every blocking path shares.
     *
     * Reactive Streams views. A Publisher view (MpscPublisher) publishes a third kind of waiter
     * in `rx`, an MpscReceiveWaiter in view mode, and leaves it there for the whole subscription,
     * so it is the consumer. Its state word only says "armed" (the view's drain found the channel
     * empty): a claimer runs the view's drain instead of taking messages, and the drain loop takes
     * them itself, one per onNext (pollView), arming again with the same Dekker re-check as park
     * (armView). Nothing is ever taken on the view's behalf, so cancelling it cannot strand a
     * message. The Subscriber view (MpscSubscriber) backs its demand with permits taken from the
     * capacity (forgetPermits for what is free now, acquire for a batch it waits for) and pushes
     * into them as a Permit would.
     *
     * Guarded by MpscLincheckTest, MpscRaceTest and MpscQueueLincheckTest; the views by
     * MpscPublisherLincheckTest (the view waiter, cancellation included), MpscViewCancelRaceTest
     * and the TCK classes in tck-tests.
     */

    private static final String SEND_CLOSED = "cannot send: the Mpsc channel is closed";
    private static final String RECV_CLOSED =
            "cannot receive: the Mpsc channel is closed and drained";
    private static final Object NO_CAUSE = new Object();

    final MpscQueue<T> queue;

    /** Bounded or unbounded: the one difference between the two flavours. */
    final MpscCapacity capacity;

    final IntFunction<Mpsc.Permit<T>> permitGrant;
    final IntFunction<Mpsc.PermitIterator<T>> iteratorGrant;

    /** The receiver's published waiter; non-null while it owns the consumer role. */
    private volatile MpscReceiveWaiter<T> rx;

    /** Null while open; then the cause or NO_CAUSE. Written once, by CAS, before closing. */
    private volatile Object closeCause;

    /** Receiver-confined: the reusable blocking waiter. */
    private MpscReceiveWaiter<T> blockingWaiter;

    private final ShortLock lock = new ShortLock();

    /** Futures of closed(); guarded by lock. */
    private final WaiterList closedWaiters = new WaiterList();

    private MpscChan(
            MpscQueue<T> queue,
            BiFunction<Supplier<ClosedException>, Runnable, MpscCapacity> capacityOf) {
        this.queue = queue;
        this.capacity = capacityOf.apply(this::sendClosedError, this::wakeReceiver);
        this.permitGrant = n -> new Mpsc.Permit<>(this);
        this.iteratorGrant = n -> new Mpsc.PermitIterator<>(this, n);
    }

    /** A bounded channel of {@code capacity} slots (checked by the caller). */
    static <T> MpscChan<T> bounded(int capacity) {
        return new MpscChan<>(
                MpscQueue.forCapacity(capacity),
                (closedError, wake) -> new MpscCapacity.Bounded(capacity, closedError, wake));
    }

    /** An unbounded channel. */
    static <T> MpscChan<T> unbounded() {
        return new MpscChan<>(
                new MpscQueue<>(), (closedError, wake) -> new MpscCapacity.Unbounded(closedError));
    }

    // --- closing ---

    boolean isClosed() {
        return capacity.isClosed();
    }

    /** Closed, and every permit back: nothing queued, nothing can be sent any more. */
    boolean isClosedAndIdle() {
        return capacity.isClosedAndIdle();
    }

    Throwable cause() {
        Object c = closeCause;
        return c instanceof Throwable ? (Throwable) c : null;
    }

    ClosedException sendClosedError() {
        Throwable c = cause();
        return c == null ? new ClosedException(SEND_CLOSED) : new ClosedException(SEND_CLOSED, c);
    }

    ClosedException recvClosedError() {
        Throwable c = cause();
        return c == null ? new ClosedException(RECV_CLOSED) : new ClosedException(RECV_CLOSED, c);
    }

    /** The failure of a receive at the end of the stream: null unless closed with a cause. */
    private ClosedException endFailure() {
        Throwable c = cause();
        return c == null ? null : new ClosedException(RECV_CLOSED, c);
    }

    /**
     * Closes the channel (idempotent: every caller performs the idempotent steps, so the channel is
     * closed when any of them returns).
     *
     * @return true if this call was the first
     */
    boolean close(Throwable cause) {
        boolean first = CAUSE.compareAndSet(this, null, cause == null ? NO_CAUSE : cause);
        capacity.close(); // volatile read-modify-write before wakeReceiver's read of rx (Dekker)
        wakeReceiver();
        FireChain chain = new FireChain();
        lock.lock();
        try {
            for (Waiter<?> w; (w = closedWaiters.pollFirst()) != null; ) {
                if (w.tryClaim()) {
                    chain.add(w);
                }
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
        return first;
    }

    CompletableFuture<Void> closed() {
        if (isClosed()) {
            return StackSafeFuture.completed(null);
        }
        ClosedWait w = new ClosedWait(this);
        lock.lock();
        try {
            if (!isClosed()) {
                closedWaiters.addLast(w);
                return w.future();
            }
        } finally {
            lock.unlock();
        }
        return StackSafeFuture.completed(null);
    }

    void withdrawClosedWait(ClosedWait w) {
        lock.lock();
        try {
            closedWaiters.remove(w);
        } finally {
            lock.unlock();
        }
    }

    // --- handle counts (SenderCounts) ---

    @Override
    void lastStrongClosed() {
        close(null);
    }

    // --- sending ---

    /** Pushes into a permit already held, then wakes the receiver. */
    void pushAndWake(T value) {
        queue.push(value); // volatile read-modify-write before wakeReceiver's read of rx (Dekker)
        wakeReceiver();
    }

    /**
     * Wakes the receiver's waiter if it is pending and has something to find. Called after a push,
     * a close, or the release of a permit after close (Dekker: the caller's preceding volatile
     * read-modify-write pairs with the waiter's publication).
     */
    void wakeReceiver() {
        MpscReceiveWaiter<T> w = rx;
        if (w != null
                && w.isPending()
                && (queue.readyAtHead() || isClosedAndIdle())
                && w.tryClaim()) {
            w.fire();
        }
    }

    /** Releases {@code n} permits: of messages taken, or of reserved permits unused. */
    void release(int n) {
        capacity.release(n); // bounded and closed: the semaphore runs wakeReceiver (end of stream)
    }

    /**
     * Takes {@code n} permits if free now and nobody waits.
     *
     * @throws ClosedException if the channel is closed
     */
    boolean tryAcquire(int n) {
        int r = capacity.tryAcquire(n);
        if (r == BatchSemaphore.TRY_CLOSED) {
            throw sendClosedError();
        }
        return r == BatchSemaphore.TRY_ACQUIRED;
    }

    /** Sends, waiting for a permit if none is free (an unbounded channel never waits). */
    CompletableFuture<Void> send(T value) {
        int r = capacity.tryAcquire(1);
        if (r == BatchSemaphore.TRY_ACQUIRED) {
            pushAndWake(value);
            return StackSafeFuture.completed(null);
        } else if (r == BatchSemaphore.TRY_CLOSED) {
            return StackSafeFuture.failed(sendClosedError());
        }
        SendFuture<T> f = new SendFuture<>(this, value);
        f.start();
        return f;
    }

    CompletableFuture<Void> sendTimeout(T value, Duration timeout) {
        return send(value).orTimeout(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Sends if a permit is free now and nobody waits (always, until closed, when unbounded).
     *
     * @throws ClosedException if the channel is closed
     */
    boolean trySend(T value) {
        if (tryAcquire(1)) {
            pushAndWake(value);
            return true;
        }
        return false;
    }

    boolean blockingSend(T value, long deadline) throws InterruptedException {
        if (capacity.acquireBlocking(1, deadline, MpscCapacity.BARE_GRANT) == null) {
            return false;
        }
        pushAndWake(value);
        return true;
    }

    // --- reserving (bounded handles) ---

    int maxCapacity() {
        return capacity.maxPermits();
    }

    /** The argument check of reserveMany: {@code 0..maxCapacity}. */
    void checkReserveCount(int n) {
        int max = maxCapacity();
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(
                    "n must be in 0..maxCapacity (" + max + ") but was " + n);
        }
    }

    /** The argument check of tryReserveMany: non-negative (above maxCapacity only fails). */
    static void checkTryReserveCount(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be non-negative but was " + n);
        }
    }

    CompletableFuture<Mpsc.Permit<T>> reserve() {
        return capacity.acquire(1, permitGrant);
    }

    CompletableFuture<Mpsc.PermitIterator<T>> reserveMany(int n) {
        return capacity.acquire(n, iteratorGrant);
    }

    /** Reserves one permit for {@code handle}, a new strong handle: closed again on failure. */
    CompletableFuture<Mpsc.OwnedPermit<T>> reserveOwned(Mpsc.Sender<T> handle) {
        CompletableFuture<Mpsc.OwnedPermit<T>> f =
                capacity.acquire(1, n -> new Mpsc.OwnedPermit<>(this, handle));
        f.whenComplete(
                (p, ex) -> {
                    if (ex != null) {
                        handle.close();
                    }
                });
        return f;
    }

    Mpsc.Permit<T> tryReserve() {
        return tryAcquire(1) ? new Mpsc.Permit<>(this) : null;
    }

    Mpsc.PermitIterator<T> tryReserveMany(int n) {
        if (n > maxCapacity()) {
            if (isClosed()) {
                throw sendClosedError();
            }
            return null;
        }
        return tryAcquire(n) ? new Mpsc.PermitIterator<>(this, n) : null;
    }

    // --- receiving ---

    /** The argument check of recvMany and blockingRecvMany. */
    static void checkRecvManyArgs(List<?> buffer, int limit) {
        Objects.requireNonNull(buffer, "buffer must not be null");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be non-negative but was " + limit);
        }
    }

    private void checkNoPendingReceive(String method) {
        MpscReceiveWaiter<T> w = rx;
        if (w != null) {
            throw new IllegalStateException(
                    method
                            + " requires no other pending receive on this single-consumer"
                            + " Mpsc receiver but "
                            + (w.isView()
                                    ? "a subscription of asPublisher() is live"
                                    : "one is pending"));
        }
    }

    boolean isEmpty() {
        return queue.len() == 0;
    }

    int len() {
        return (int) Math.min(Integer.MAX_VALUE, queue.len());
    }

    /** Whether the head slot holds a message (see MpscQueue.readyAtHead). */
    boolean readyAtHead() {
        return queue.readyAtHead();
    }

    /** Appends {@code first} and then every ready message, up to {@code limit}. */
    private int appendReady(List<? super T> buffer, T first, int limit) {
        buffer.add(first);
        int n = 1;
        T v;
        while (n < limit && (v = queue.relaxedPoll()) != null) {
            buffer.add(v);
            n++;
        }
        return n;
    }

    CompletableFuture<T> recv() {
        checkNoPendingReceive("recv");
        T v = queue.relaxedPoll();
        if (v != null) {
            release(1);
            return StackSafeFuture.completed(v);
        }
        if (isClosedAndIdle()) {
            ClosedException f = endFailure();
            return f != null ? StackSafeFuture.failed(f) : StackSafeFuture.completed(null);
        }
        return park(new MpscReceiveWaiter<>(this, null, 1, false));
    }

    CompletableFuture<Integer> recvMany(List<? super T> buffer, int limit) {
        checkRecvManyArgs(buffer, limit);
        checkNoPendingReceive("recvMany");
        if (limit == 0) {
            return StackSafeFuture.completed(0);
        }
        T v = queue.relaxedPoll();
        if (v != null) {
            int n = appendReady(buffer, v, limit);
            release(n);
            return StackSafeFuture.completed(n);
        }
        if (isClosedAndIdle()) {
            ClosedException f = endFailure();
            return f != null ? StackSafeFuture.failed(f) : StackSafeFuture.completed(0);
        }
        return park(new MpscReceiveWaiter<>(this, buffer, limit, false));
    }

    /** Publishes an async waiter, re-checks (Dekker), and returns its future. */
    @SuppressWarnings("unchecked")
    private <R> CompletableFuture<R> park(MpscReceiveWaiter<T> w) {
        RX.setVolatile(this, w); // sequentially consistent: before the re-check's reads (Dekker)
        if ((queue.readyAtHead() || isClosedAndIdle()) && w.tryClaim()) {
            receiveFor(w); // completes the future before anyone else can see it
        }
        return (CompletableFuture<R>) (CompletableFuture<?>) w.future;
    }

    T tryRecv() {
        checkNoPendingReceive("tryRecv");
        T v = queue.poll(); // waits out an in-progress push: never spuriously empty
        if (v != null) {
            release(1);
            return v;
        }
        if (isClosedAndIdle()) {
            throw recvClosedError();
        }
        return null;
    }

    T blockingRecv(long deadline) throws InterruptedException {
        checkNoPendingReceive("blockingRecv");
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        for (; ; ) {
            T v = queue.relaxedPoll();
            if (v != null) {
                release(1);
                return v;
            }
            if (isClosedAndIdle()) {
                ClosedException f = endFailure();
                if (f != null) {
                    throw f;
                }
                return null;
            }
            if (!parkBlocking(deadline)) {
                return null;
            }
        }
    }

    int blockingRecvMany(List<? super T> buffer, int limit) throws InterruptedException {
        checkNoPendingReceive("blockingRecvMany");
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (limit == 0) {
            return 0;
        }
        for (; ; ) {
            T v = queue.relaxedPoll();
            if (v != null) {
                int n = appendReady(buffer, v, limit);
                release(n);
                return n;
            }
            if (isClosedAndIdle()) {
                ClosedException f = endFailure();
                if (f != null) {
                    throw f;
                }
                return 0;
            }
            parkBlocking(Long.MAX_VALUE);
        }
    }

    /**
     * Parks the receiving thread on the reusable waiter until a producer or closer claims it.
     *
     * @return true when woken (the caller looks again; the wake-up may be spurious), false if the
     *     deadline passed first (withdrawn)
     * @throws InterruptedException if interrupted first (withdrawn)
     */
    private boolean parkBlocking(long deadline) throws InterruptedException {
        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
            return false;
        }
        MpscReceiveWaiter<T> w = blockingWaiter;
        if (w == null) {
            w = new MpscReceiveWaiter<>(this, null, 1, true);
            blockingWaiter = w;
        }
        w.reset();
        RX.setVolatile(this, w); // sequentially consistent: before the re-check's reads (Dekker)
        if ((queue.readyAtHead() || isClosedAndIdle()) && w.tryClaim()) {
            RX.compareAndSet(this, w, null);
            return true;
        }
        int outcome = Spin.park(w, deadline);
        RX.compareAndSet(this, w, null); // woken or withdrawn: the consumer role is back
        if (outcome == Spin.INTERRUPTED) {
            throw new InterruptedException();
        }
        return outcome == Spin.FIRED;
    }

    /**
     * Receives on behalf of a claimed async waiter: takes the messages and completes its future.
     * Called by the claimer (a producer, a closer, or the receiver's own re-check in park).
     */
    void receiveFor(MpscReceiveWaiter<T> w) {
        T v = queue.relaxedPoll(); // the consumer role is ours: the waiter is claimed
        int taken = 0;
        Object result;
        Throwable failure = null;
        if (v == null) { // woken for the end of the stream
            failure = endFailure();
            result = w.buffer != null ? Integer.valueOf(0) : null;
        } else if (w.buffer == null) {
            taken = 1;
            result = v;
        } else {
            try {
                taken = appendReady(w.buffer, v, w.limit);
                result = taken;
            } catch (RuntimeException e) { // the caller's list refused an element
                taken = 1;
                failure = e;
                result = null;
            }
        }
        RX.compareAndSet(this, w, null); // hand the consumer role back before completing
        if (taken > 0) {
            // Before completing: a receive started by the future's dependents must see the
            // permits back (after close, "idle" ends the stream).
            release(taken);
        }
        if (failure != null) {
            w.future.failClaimed(failure);
        } else {
            w.future.completeClaimed(result);
        }
    }

    /** An async waiter whose future was completed from outside first: unpublish it. */
    void withdraw(MpscReceiveWaiter<T> w) {
        RX.compareAndSet(this, w, null);
    }

    // --- the Publisher view (MpscPublisher) ---

    /**
     * Publishes {@code w} (view mode) as the receiver's waiter for the whole subscription, so that
     * other receives fail while the view owns the consumer role.
     *
     * @return false if a receive is pending or another view is attached
     */
    boolean attachView(MpscReceiveWaiter<T> w) {
        return RX.compareAndSet(this, null, w);
    }

    /** Gives the consumer role back; the view never polls again. */
    void detachView(MpscReceiveWaiter<T> w) {
        w.state = MpscReceiveWaiter.CLAIMED; // disarm: a later claim attempt fails
        RX.compareAndSet(this, w, null);
    }

    /**
     * Arms the view's waiter after its drain found the channel empty, then re-checks (Dekker, as in
     * park: the volatile write of the state pairs with the producer's read of it after its push).
     *
     * @return true if something arrived meanwhile and this call disarmed the waiter again (drain
     *     once more); false if armed (a push or close will run the view's drain)
     */
    boolean armView(MpscReceiveWaiter<T> w) {
        w.state = MpscReceiveWaiter.PENDING; // sequentially consistent: before the re-check
        return (queue.readyAtHead() || isClosedAndIdle()) && w.tryClaim();
    }

    /** The view's take: the next message, its permit already released; null if none ready. */
    T pollView() {
        T v = queue.relaxedPoll(); // consumer role: the view's waiter is published in rx
        if (v != null) {
            release(1);
        }
        return v;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(capacity);
        sb.append(", len=").append(queue.len());
        if (isClosed()) {
            sb.append(", closed");
        }
        return sb.toString();
    }

    /**
     * A bounded send that has to wait for a permit: the claim decides whether the granted permit
     * pushes the value (claim by the grant) or is released (claim lost to cancellation).
     */
    private static final class SendFuture<T> extends ClaimFuture<Void>
            implements BiConsumer<Boolean, Throwable> {
        private final MpscChan<T> chan;
        private T value;
        private volatile CompletableFuture<Boolean> acquisition;

        SendFuture(MpscChan<T> chan, T value) {
            this.chan = chan;
            this.value = value;
        }

        void start() {
            CompletableFuture<Boolean> a = chan.capacity.acquire(1, MpscCapacity.BARE_GRANT);
            acquisition = a;
            a.whenComplete(this);
        }

        @Override
        public void accept(Boolean granted, Throwable ex) {
            if (ex == null) {
                if (tryClaim()) {
                    T v = value;
                    value = null;
                    chan.pushAndWake(v);
                    completeClaimed(null);
                } else {
                    chan.release(1); // cancelled first: the value is not sent
                }
            } else if (tryClaim()) {
                failClaimed(ex);
            }
        }

        @Override
        protected void withdraw() {
            value = null;
            CompletableFuture<Boolean> a = acquisition;
            if (a != null) {
                a.cancel(false); // withdraws the acquisition; a grant in the race goes back
            }
        }
    }

    /** A waiting {@code closed()}. */
    private static final class ClosedWait extends Waiter<Void> {
        private final MpscChan<?> chan;

        ClosedWait(MpscChan<?> chan) {
            super(false);
            this.chan = chan;
        }

        @Override
        protected void undelivered(Void v) {
            // Nothing to give back.
        }

        @Override
        protected void withdraw() {
            chan.withdrawClosedWait(this);
        }
    }

    // VarHandle mechanics
    private static final VarHandle RX;
    private static final VarHandle CAUSE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RX = l.findVarHandle(MpscChan.class, "rx", MpscReceiveWaiter.class);
            CAUSE = l.findVarHandle(MpscChan.class, "closeCause", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
