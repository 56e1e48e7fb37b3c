package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.FireChain;
import dev.tributary.sync.internal.ShortLock;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaiterList;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Lets a fixed number of parties wait until all of them have arrived: tokio's {@code Barrier}.
 *
 * <ul>
 *   <li><b>Parties</b>: {@code n} per generation, fixed at construction; {@code new Barrier(0)}
 *       acts as {@code new Barrier(1)} (every wait completes at once), as in tokio and {@code
 *       std::sync::Barrier}.
 *   <li><b>Leader</b>: the last party to arrive is the leader ({@link BarrierWaitResult#isLeader()}
 *       is true); its wait completes at once and releases the others, which get {@code isLeader()
 *       == false}. Exactly one leader per generation.
 *   <li><b>Reuse</b>: once a generation is released, the next {@code n} arrivals form the next one;
 *       the barrier never breaks and has no closed state.
 *   <li><b>Cancellation</b>: an arrival counts once made. Cancelling a wait, or interrupting or
 *       timing out a blocking one, stops that wait from completing but does not withdraw the
 *       arrival: the generation is released when the remaining parties arrive, as in tokio, where
 *       dropping a {@code wait()} future after its first poll leaves it counted. (This differs from
 *       {@link java.util.concurrent.CyclicBarrier}, which breaks instead.)
 * </ul>
 *
 * <p><b>Memory consistency effects:</b> actions in each party before its arrival ({@link #await()}
 * or {@link #blockingAwait()}) happen-before actions after any wait of the same generation
 * completes.
 */
public final class Barrier {

    /*
     * Implementation overview
     *
     * Ported from tokio's sync/barrier.rs, which counts arrivals under a std Mutex and releases a
     * generation by broadcasting its number over a watch channel. Here the count and a FIFO of
     * waiters share one ReentrantLock: the n-th arrival resets the count, claims every queued
     * waiter, and fires them with the follower result after unlocking; it returns the leader
     * result itself, already complete. A cancelled waiter only unlinks itself (withdraw) and
     * leaves `arrived` unchanged; a claimed waiter whose future was completed from outside has
     * nothing to give back (undelivered). No lock-free path: a barrier wait is rare and always
     * mutates the count.
     *
     * Guarded by BarrierTest (leader exactly once per generation over many generations and
     * threads, cancellation keeps the arrival).
     */

    private final int parties;
    private final ShortLock lock = new ShortLock();

    /** Waiters of the current generation; guarded by {@code lock}. */
    private final WaiterList waiters = new WaiterList();

    /** Arrivals in the current generation, {@code 0..parties-1}; guarded by {@code lock}. */
    private int arrived;

    /**
     * Creates a barrier for {@code n} parties.
     *
     * @param n the number of parties per generation; 0 acts as 1
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Barrier(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be non-negative but was " + n);
        }
        this.parties = Math.max(1, n);
    }

    /**
     * Arrives at the barrier and waits for the rest of this generation (tokio's {@code wait}, which
     * clashes with {@link Object#wait()}). The arrival is counted at call time.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the returned future (or {@code completeExceptionally}, {@code orTimeout})
     *       stops it from completing but does <em>not</em> withdraw the arrival: the generation
     *       still counts this party. Cancelling a dependent stage does not reach this future.
     *   <dt>Fairness
     *   <dd>Not applicable: a generation releases all of its waits together (their futures complete
     *       in arrival order).
     *   <dt>Completion thread
     *   <dd>The leader's future is already complete. The others are completed by the thread of the
     *       leader (the last arrival), trampolined, after the internal lock is released. Dependents
     *       are <a href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return a future of this wait's result; exactly one wait per generation is the leader
     */
    public CompletableFuture<BarrierWaitResult> await() {
        BarrierWaiter w = arrive(false);
        return w == null ? StackSafeFuture.completed(BarrierWaitResult.LEADER) : w.future();
    }

    /**
     * Arrives at the barrier and parks the current thread until the rest of this generation
     * arrives.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Interruption (and, for the timed form, the timeout) stops the wait but does not
     *       withdraw the arrival, as {@link #await()} describes.
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads). An interrupt pending on entry
     *       throws {@link InterruptedException} before arriving. An interrupt while parked stops
     *       the wait, but the arrival still counts (see {@link #await()}); if the generation was
     *       released first, the result is returned with the interrupt status set again. Fails fast
     *       with {@link IllegalStateException} on a Reactor non-blocking thread. Waiting for
     *       parties that only this thread would go on to start deadlocks.
     *   <dt>Fairness
     *   <dd>As {@link #await()}.
     * </dl>
     *
     * @return this wait's result
     * @throws InterruptedException if interrupted before arriving, or while waiting (the arrival
     *     then still counts)
     */
    public BarrierWaitResult blockingAwait() throws InterruptedException {
        BlockingCheck.check("Barrier.blockingAwait");
        return awaitBlocking(Long.MAX_VALUE);
    }

    /**
     * Arrives at the barrier and parks the current thread for at most {@code timeout}. A timeout
     * stops the wait but does not withdraw the arrival (see {@link #await()}). See {@link
     * #blockingAwait()} for the interrupt contract.
     *
     * @param timeout the longest wait; zero or negative means "arrive, but do not wait"
     * @return this wait's result, or null if the timeout passed first (the arrival still counts)
     * @throws InterruptedException if interrupted before arriving, or while waiting (the arrival
     *     then still counts)
     * @throws NullPointerException if {@code timeout} is null
     */
    public BarrierWaitResult blockingAwait(Duration timeout) throws InterruptedException {
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("Barrier.blockingAwait");
        return awaitBlocking(deadline);
    }

    private BarrierWaitResult awaitBlocking(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        BarrierWaiter w = arrive(true);
        return w == null ? BarrierWaitResult.LEADER : w.awaitBlocking(deadline, null);
    }

    /**
     * Counts an arrival.
     *
     * @param blocking the mode of the waiter to queue
     * @return the queued waiter, or null if this arrival is the leader (the generation is released)
     */
    private BarrierWaiter arrive(boolean blocking) {
        FireChain chain = new FireChain();
        lock.lock();
        try {
            if (++arrived < parties) {
                BarrierWaiter w = new BarrierWaiter(this, blocking);
                waiters.addLast(w);
                return w;
            }
            arrived = 0;
            for (Waiter<?> x; (x = waiters.pollFirst()) != null; ) {
                BarrierWaiter w = (BarrierWaiter) x;
                if (w.tryClaim()) {
                    w.setValue(BarrierWaitResult.FOLLOWER);
                    chain.add(w);
                }
            }
        } finally {
            lock.unlock();
        }
        chain.fireAll();
        return null;
    }

    /** Unlinks a cancelled waiter; its arrival stays counted. */
    void withdraw(BarrierWaiter w) {
        lock.lock();
        try {
            waiters.remove(w);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        int a;
        lock.lock();
        try {
            a = arrived;
        } finally {
            lock.unlock();
        }
        return "Barrier[parties=" + parties + ", arrived=" + a + "]";
    }

    /** A party waiting for its generation to be released. */
    static final class BarrierWaiter extends Waiter<BarrierWaitResult> {
        private final Barrier owner;

        BarrierWaiter(Barrier owner, boolean blocking) {
            super(blocking);
            this.owner = owner;
        }

        @Override
        protected void undelivered(BarrierWaitResult v) {
            // A follower result is not a resource: nothing to give back.
        }

        @Override
        protected void withdraw() {
            owner.withdraw(this);
        }
    }
}
