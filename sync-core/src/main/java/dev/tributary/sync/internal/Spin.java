package dev.tributary.sync.internal;

/**
 * The one spin-then-yield policy of the blocking paths: how long a blocking receive of a Broadcast
 * or Watch receiver re-checks its condition before it registers a waiter and parks, and how a wait
 * for a half-written broadcast slot backs off.
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

    private Spin() {}

    /**
     * Backs off before the next re-check.
     *
     * @param done how many re-checks were made already; from {@link #SPIN_WAITS} on (also past
     *     {@link #BUDGET}, for a wait that has no budget of its own) it yields
     */
    public static void backOff(int done) {
        if (done < SPIN_WAITS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
