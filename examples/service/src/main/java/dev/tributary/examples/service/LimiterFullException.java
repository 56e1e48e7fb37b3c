package dev.tributary.examples.service;

import java.time.Duration;

/**
 * Thrown (as an error signal) by {@link DownstreamLimiter#call} when {@code downstream-max-waiting}
 * calls already wait: rendered as 429 with {@code Retry-After} by {@link ProblemHandler}.
 */
public final class LimiterFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The Retry-After the response carries. */
    private final transient Duration retryAfter;

    /**
     * A rejection.
     *
     * @param maxWaiting how many may wait (all of them do)
     * @param retryAfter when to try again
     */
    public LimiterFullException(int maxWaiting, Duration retryAfter) {
        super(
                "at most "
                        + maxWaiting
                        + " calls may wait for the downstream, and "
                        + maxWaiting
                        + " are waiting",
                null,
                false,
                false);
        this.retryAfter = retryAfter;
    }

    /**
     * When the client should try again.
     *
     * @return the delay
     */
    public Duration retryAfter() {
        return retryAfter;
    }
}
