package dev.tributary.sync;

import dev.tributary.sync.internal.BatchSemaphore;
import dev.tributary.sync.internal.StackSafeFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The capacity strategy of an mpsc channel, as tokio's {@code chan.rs} {@code Semaphore} trait: the
 * one thing in which a bounded channel ({@link Bounded}, over a {@link BatchSemaphore}) and an
 * unbounded one ({@link Unbounded}, a message counter) differ. {@link MpscChan} runs the same
 * algorithms over either.
 *
 * <p>The words are the semaphore's: a <em>permit</em> is one slot of the channel. A send acquires
 * one, pushes into it, and the receiver releases it when it takes the message; a reserved {@code
 * Permit} holds one until it sends or is closed. So "closed and idle" (closed, every permit back)
 * means that nothing is queued and nothing can be sent any more: the end of the stream.
 *
 * <p>Results of {@link #tryAcquire(int)} are {@link BatchSemaphore}'s {@code TRY_ACQUIRED}, {@code
 * TRY_NO_PERMITS} and {@code TRY_CLOSED}; an unbounded channel never answers {@code
 * TRY_NO_PERMITS}.
 *
 * <p>Access modes: every state change is a volatile read-modify-write (CAS, fetch-and-add,
 * bitwise-or) on one word, so it is sequentially consistent. That matters for {@link #close()} and
 * for a {@link #release(int)} after close: the channel reads its receiver waiter (volatile) right
 * after them, which is the closer's half of the Dekker sleep/wake re-check (see {@link MpscChan}).
 */
interface MpscCapacity {

    /** A grant that builds nothing: for acquisitions whose caller pushes into the slot itself. */
    IntFunction<Boolean> BARE_GRANT = n -> Boolean.TRUE;

    /**
     * Takes {@code n} permits now, if free and nobody waits (no barging).
     *
     * @param n permits, {@code 0..maxPermits()}
     * @return {@code BatchSemaphore.TRY_ACQUIRED}, {@code TRY_NO_PERMITS} or {@code TRY_CLOSED}
     */
    int tryAcquire(int n);

    /**
     * Acquires {@code n} permits, waiting in FIFO order (never waits when unbounded).
     *
     * @param n permits, {@code 0..maxPermits()}
     * @param onGrant builds the future's value from the number granted
     * @param <R> the value type
     * @return a future of the grant, failed with the send-closed error if closed
     */
    <R> CompletableFuture<R> acquire(int n, IntFunction<? extends R> onGrant);

    /**
     * Acquires {@code n} permits, parking the current thread in FIFO order (never parks when
     * unbounded).
     *
     * @param n permits
     * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@code Long.MAX_VALUE}
     * @param onGrant builds the returned value
     * @param <R> the value type
     * @return the grant, or null if the deadline passed first
     * @throws InterruptedException if interrupted while waiting (nothing taken)
     */
    <R> R acquireBlocking(int n, long deadlineNanos, IntFunction<? extends R> onGrant)
            throws InterruptedException;

    /**
     * Takes up to {@code n} free permits now without queueing (0 while senders wait, so it never
     * barges).
     *
     * @param n permits, non-negative
     * @return the number taken
     */
    int forgetPermits(int n);

    /**
     * Returns {@code n} permits: of messages the receiver took, or of reserved permits unused. When
     * bounded and closed, the channel's receiver is woken after it (the last permit back may end
     * the stream).
     *
     * @param n permits, non-negative
     */
    void release(int n);

    /**
     * Returns the free permits (0 while senders wait; {@code Integer.MAX_VALUE} when unbounded).
     *
     * @return the free permits
     */
    int availablePermits();

    /**
     * Returns the capacity ({@code Integer.MAX_VALUE} when unbounded).
     *
     * @return the total permits
     */
    int maxPermits();

    /** Closes: acquisitions fail from now on, queued ones fail now. Idempotent. */
    void close();

    /**
     * Returns true once closed.
     *
     * @return whether acquisitions fail
     */
    boolean isClosed();

    /**
     * Returns true once closed with every permit back: the end of the stream.
     *
     * @return whether closed and idle
     */
    boolean isClosedAndIdle();

    /** A bounded channel's capacity: a {@link BatchSemaphore} of {@code capacity} permits. */
    final class Bounded implements MpscCapacity {
        private final BatchSemaphore semaphore;
        private final int capacity;

        /**
         * @param capacity the channel's capacity, {@code 1..Mpsc.MAX_CAPACITY}
         * @param closedError the send-closed error of the channel
         * @param wakeReceiver run after every release into the closed semaphore
         */
        Bounded(int capacity, Supplier<ClosedException> closedError, Runnable wakeReceiver) {
            this.semaphore = new BatchSemaphore(capacity, closedError, wakeReceiver);
            this.capacity = capacity;
        }

        /** For tests: whether a sender waits for a slot. */
        boolean hasQueuedWaiters() {
            return semaphore.hasQueuedWaiters();
        }

        @Override
        public int tryAcquire(int n) {
            return semaphore.tryAcquire(n);
        }

        @Override
        public <R> CompletableFuture<R> acquire(int n, IntFunction<? extends R> onGrant) {
            return semaphore.acquire(n, onGrant);
        }

        @Override
        public <R> R acquireBlocking(int n, long deadlineNanos, IntFunction<? extends R> onGrant)
                throws InterruptedException {
            return semaphore.acquireBlocking(n, deadlineNanos, onGrant);
        }

        @Override
        public int forgetPermits(int n) {
            return semaphore.forgetPermits(n);
        }

        @Override
        public void release(int n) {
            semaphore.release(n); // after close, the semaphore runs wakeReceiver
        }

        @Override
        public int availablePermits() {
            return semaphore.availablePermits();
        }

        @Override
        public int maxPermits() {
            return capacity;
        }

        @Override
        public void close() {
            semaphore.close();
        }

        @Override
        public boolean isClosed() {
            return semaphore.isClosed();
        }

        @Override
        public boolean isClosedAndIdle() {
            return semaphore.isClosed() && semaphore.availablePermits() == capacity;
        }

        @Override
        public String toString() {
            return "capacity=" + semaphore.availablePermits() + "/" + capacity;
        }
    }

    /**
     * An unbounded channel's capacity, as tokio's unbounded semaphore: one word {@code count =
     * messages << 1 | CLOSED_BIT} counting the messages sent and not yet taken. Acquiring never
     * waits; it fails only once closed.
     */
    final class Unbounded implements MpscCapacity {
        private static final long CLOSED_BIT = 1L;

        private final Supplier<ClosedException> closedError;

        /** messages &lt;&lt; 1 | CLOSED_BIT. */
        private volatile long count;

        /**
         * @param closedError the send-closed error of the channel
         */
        Unbounded(Supplier<ClosedException> closedError) {
            this.closedError = closedError;
        }

        @Override
        public int tryAcquire(int n) {
            for (; ; ) {
                long c = count;
                if ((c & CLOSED_BIT) != 0) {
                    return BatchSemaphore.TRY_CLOSED;
                }
                if (COUNT.compareAndSet(this, c, c + 2L * n)) {
                    return BatchSemaphore.TRY_ACQUIRED;
                }
            }
        }

        @Override
        public <R> CompletableFuture<R> acquire(int n, IntFunction<? extends R> onGrant) {
            return tryAcquire(n) == BatchSemaphore.TRY_ACQUIRED
                    ? StackSafeFuture.completed(onGrant.apply(n))
                    : StackSafeFuture.failed(closedError.get());
        }

        @Override
        public <R> R acquireBlocking(int n, long deadlineNanos, IntFunction<? extends R> onGrant)
                throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (tryAcquire(n) != BatchSemaphore.TRY_ACQUIRED) {
                throw closedError.get();
            }
            return onGrant.apply(n);
        }

        @Override
        public int forgetPermits(int n) {
            return tryAcquire(n) == BatchSemaphore.TRY_ACQUIRED ? n : 0;
        }

        @Override
        public void release(int n) {
            COUNT.getAndAdd(this, -2L * n);
        }

        @Override
        public int availablePermits() {
            return Integer.MAX_VALUE;
        }

        @Override
        public int maxPermits() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void close() {
            COUNT.getAndBitwiseOr(this, CLOSED_BIT);
        }

        @Override
        public boolean isClosed() {
            return (count & CLOSED_BIT) != 0;
        }

        @Override
        public boolean isClosedAndIdle() {
            return count == CLOSED_BIT;
        }

        @Override
        public String toString() {
            return "unbounded";
        }

        // VarHandle mechanics
        private static final VarHandle COUNT;

        static {
            try {
                COUNT = MethodHandles.lookup().findVarHandle(Unbounded.class, "count", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
