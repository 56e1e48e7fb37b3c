package dev.tributary.sync;

/**
 * Thrown by a {@link Broadcast.Receiver} (or used to fail its {@code recv()} future) when it fell
 * so far behind that values it had not read yet were overwritten: tokio's {@code RecvError::Lagged}
 * and {@code TryRecvError::Lagged}.
 *
 * <p>It reports, it does not close: the receiver stays subscribed, its cursor has moved to the
 * oldest value the channel still retains, and the next receive returns that value (unless further
 * sends overwrite it first, which reports a new lag). {@link #missed()} is exact: over a receiver's
 * life, the values it received plus the {@code missed()} counts of its lags equal the values sent
 * while it was subscribed.
 */
public class LaggedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The number of values skipped. */
    private final long missed;

    /**
     * Creates the exception.
     *
     * @param missed the number of values that were overwritten before the receiver read them
     */
    public LaggedException(long missed) {
        super(
                "receiver lagged behind: "
                        + missed
                        + (missed == 1 ? " value was" : " values were")
                        + " overwritten before it read them");
        this.missed = missed;
    }

    /**
     * Returns the number of values this receiver missed: sent after it subscribed, overwritten
     * before it read them, and therefore skipped.
     *
     * @return the exact number of skipped values, at least 1 when thrown by a receiver
     */
    public long missed() {
        return missed;
    }
}
