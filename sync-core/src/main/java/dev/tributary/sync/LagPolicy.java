package dev.tributary.sync;

/**
 * What a publisher view of a {@link Broadcast} channel does when its subscriber lags: when more
 * values than the channel's capacity arrive before the subscriber received them, the oldest are
 * overwritten and that subscriber misses them (senders never wait for subscribers). Chosen per view
 * with {@link Broadcast.Sender#asPublisher(LagPolicy, java.util.function.LongConsumer)} or {@link
 * Broadcast.Receiver#asPublisher(LagPolicy, java.util.function.LongConsumer)}.
 *
 * <p>A lag is noticed when the subscriber next has demand, and its count is exact: the number of
 * values sent while it was subscribed and overwritten before it received them (tokio's {@code
 * RecvError::Lagged(n)}).
 */
public enum LagPolicy {
    /**
     * End the subscription: the subscriber gets {@code onError(}{@link LaggedException}{@code )}
     * whose {@link LaggedException#missed()} is the exact number of values it missed, and its
     * receiver is closed. For consumers that must see every value or none.
     */
    ERROR,

    /**
     * Skip what was overwritten and continue: the optional lag callback is called with the exact
     * number of values missed, then the subscriber receives the oldest value the channel still
     * retains, and the values after it in order. It may lag again. For consumers that care about
     * recent values more than about every value (prices, telemetry).
     */
    SKIP
}
