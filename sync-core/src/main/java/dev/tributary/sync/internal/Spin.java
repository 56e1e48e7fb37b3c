package dev.tributary.sync.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * The spin-then-park policy of every blocking path: how long a caller re-checks its condition
 * before it parks ({@link #backOff(int)}, {@link #BUDGET}), and the one park loop that waits for a
 * published waiter to be fired ({@link #park(Parked, long)}).
 *
 * <h2>Spinning</h2>
 *
 * <p>On a 2-vCPU machine a park/unpark round costs about 15–20 µs (vCPU halt plus an
 * inter-processor interrupt), while a hand-off between two running threads costs tens of
 * nanoseconds. A receiver that parks the moment it has caught up therefore pays a waiter and a
 * wake-up per message even when the sender is a few hundred nanoseconds behind, and the sender pays
 * an unpark per message for every such receiver. Re-checking {@link #SPIN_WAITS} times with {@link
 * Thread#onSpinWait()} and then {@link #YIELDS} times with {@link Thread#yield()} catches those
 * messages first: measured on the broadcast fan-out benchmark (1 sender, 4 receivers, capacity
 * 1024, 2 cores), about 1,600 ns per message without and about 200 with the same policy in the
 * benchmark's own loop. The yields matter when threads outnumber cores: they hand the CPU to the
 * sender instead of burning it. The budget is bounded, so an idle receiver still parks.
 *
 * <p>The re-check reads the same state the caller reads before it registers a waiter, so it changes
 * no ordering or wake-up argument: a caller that stops re-checking goes on exactly as it did
 * without the spin. The system property {@code dev.tributary.sync.spins=0} turns it off.
 *
 * <p>A caller that must wait for another thread to finish a step it has already begun (the mpsc
 * queue's {@code poll} waiting out an in-progress push) has no budget: it backs off with {@link
 * #backOff(int, int)} until the step is done, spinning first and yielding after.
 *
 * <h2>Parking</h2>
 *
 * <p>{@link #park(Parked, long)} is the one loop behind {@code Waiter.awaitBlocking} and the mpsc
 * receiver's blocking receive: park until the waiter is fired; on an interrupt or at the deadline
 * try to cancel it, and if the cancel loses (the waiter was claimed) keep waiting for the fire,
 * which is then on its way, and set the interrupt status again. The caller withdraws a cancelled
 * waiter itself.
 *
 * <p>A queued {@code Waiter} (a sender waiting for capacity, a blocking acquire) first spins on its
 * fire with the same budget ({@link #park(Parked, long, boolean)}): in a FIFO hand-off the waiter
 * at the head is usually fired within microseconds, and a fire that finds it running saves both
 * threads the park/unpark round. Measured on the mpsc blocking benchmark (JDK 17, 2 cores, 3 forks,
 * ns per message, before / after): capacity 16, 1 producer 3,973 / 321 and 4 producers 3,144 / 658;
 * capacity 1024, 4 producers 303 / 214 (long-lived producer threads) and 285 / 152 (fresh producer
 * threads per batch); 1 producer unchanged within the error. The mpsc receiver's blocking receive
 * parks without this spin: spinning there too measured worse for 1 producer (fresh threads, 2
 * forks: 116 ± 46 / 201 ± 176 ns).
 */
public final class Spin {

    private static final boolean ENABLED = Integer.getInteger("dev.tributary.sync.spins", 1) != 0;

    /** Busy re-checks first: 32 on a multi-core machine, none on one CPU or when disabled. */
    public static final int SPIN_WAITS =
            ENABLED && Runtime.getRuntime().availableProcessors() > 1 ? 32 : 0;

    /** Then re-checks after {@link Thread#yield()}: 32, none when disabled. */
    public static final int YIELDS = ENABLED ? 32 : 0;

    /** Every re-check before parking. */
    public static final int BUDGET = SPIN_WAITS + YIELDS;

    /** {@link #park(Parked, long)} result: the waiter was fired (its outcome is there). */
    public static final int FIRED = 0;

    /** {@link #park(Parked, long)} result: interrupted, and the waiter is cancelled. */
    public static final int INTERRUPTED = 1;

    /** {@link #park(Parked, long)} result: the deadline passed, and the waiter is cancelled. */
    public static final int TIMED_OUT = 2;

    private Spin() {}

    /**
     * Backs off before the next re-check, with the default budget ({@link #SPIN_WAITS} spins, then
     * yields).
     *
     * @param done how many re-checks were made already; from {@link #SPIN_WAITS} on (also past
     *     {@link #BUDGET}, for a wait that has no budget of its own) it yields
     */
    public static void backOff(int done) {
        backOff(done, SPIN_WAITS);
    }

    /**
     * Backs off before the next re-check: {@link Thread#onSpinWait()} for the first {@code
     * spinWaits} re-checks, {@link Thread#yield()} after.
     *
     * @param done how many re-checks were made already, non-negative
     * @param spinWaits how many of them spin before the yields begin
     */
    public static void backOff(int done, int spinWaits) {
        if (done < spinWaits) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * A published waiter that a thread parks on: fired by whoever claimed it, or cancelled by the
     * parked thread itself. Exactly one of the claim and {@link #tryCancel()} succeeds.
     */
    public interface Parked {
        /**
         * Returns true once the claimer has recorded the outcome and is unparking the thread (an
         * acquire read, paired with the claimer's release write).
         *
         * @return whether the waiter was fired
         */
        boolean isFired();

        /**
         * Cancels the waiter if nobody claimed it yet.
         *
         * @return true if cancelled: it will never be fired, and the caller must withdraw it
         */
        boolean tryCancel();
    }

    /**
     * Parks the calling thread until {@code waiter} is fired, the deadline passes, or the thread is
     * interrupted. An interrupt or deadline that loses the race against a claim keeps waiting for
     * the fire (then on its way) and reports {@link #FIRED}, with the interrupt status set again:
     * the operation took effect. Allocates nothing.
     *
     * @param waiter the published waiter; also the park blocker
     * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@code Long.MAX_VALUE} for none
     * @return {@link #FIRED}, or {@link #INTERRUPTED} / {@link #TIMED_OUT} after a successful
     *     {@link Parked#tryCancel()} (the caller withdraws the waiter)
     */
    public static int park(Parked waiter, long deadlineNanos) {
        return park(waiter, deadlineNanos, false);
    }

    /**
     * As {@link #park(Parked, long)}; with {@code spinFirst}, first re-checks {@link
     * Parked#isFired()} with the default budget ({@link #backOff(int)}), so that a waiter fired
     * within it never parks.
     *
     * @param waiter the published waiter; also the park blocker
     * @param deadlineNanos a {@link System#nanoTime()} deadline, or {@code Long.MAX_VALUE} for none
     * @param spinFirst whether to spin on the fire before the first park
     * @return as {@link #park(Parked, long)}
     */
    public static int park(Parked waiter, long deadlineNanos, boolean spinFirst) {
        if (spinFirst) {
            for (int i = 0; i < BUDGET && !waiter.isFired(); i++) {
                backOff(i);
            }
        }
        boolean interrupted = false;
        try {
            while (!waiter.isFired()) {
                if (Thread.interrupted()) {
                    if (waiter.tryCancel()) {
                        return INTERRUPTED;
                    }
                    interrupted = true; // claimed concurrently: the outcome is on its way
                } else if (deadlineNanos != Long.MAX_VALUE) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0L) {
                        if (waiter.tryCancel()) {
                            return TIMED_OUT;
                        }
                        deadlineNanos = Long.MAX_VALUE; // claimed: wait for the outcome
                    } else {
                        LockSupport.parkNanos(waiter, left);
                    }
                } else {
                    LockSupport.park(waiter);
                }
            }
            return FIRED;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
