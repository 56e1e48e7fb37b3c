package dev.tributary.examples.service;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service's settings, under {@code tributary.service} in {@code application.properties}.
 *
 * @param chatCapacity the chat broadcast channel's capacity: how many messages a client may fall
 *     behind before it lags and skips (see {@link ChatService})
 * @param maxTextLength the longest chat message text accepted, in characters
 * @param maxUserLength the longest user name accepted, in characters
 * @param downstreamPermits N: how many downstream calls may be in flight at once
 * @param downstreamMaxWaiting M: how many calls may wait for a permit; beyond that, 429
 * @param retryAfter the {@code Retry-After} a 429 carries (whole seconds, at least 1)
 * @param downstreamLatency how long the simulated downstream takes per call
 */
@ConfigurationProperties("tributary.service")
public record ServiceProperties(
        @DefaultValue("256") int chatCapacity,
        @DefaultValue("1000") int maxTextLength,
        @DefaultValue("64") int maxUserLength,
        @DefaultValue("8") int downstreamPermits,
        @DefaultValue("32") int downstreamMaxWaiting,
        @DefaultValue("1s") Duration retryAfter,
        @DefaultValue("200ms") Duration downstreamLatency) {

    /** Checks every setting, so a bad value stops the service at startup with its name. */
    public ServiceProperties {
        require(chatCapacity > 0, "tributary.service.chat-capacity > 0", chatCapacity);
        require(maxTextLength > 0, "tributary.service.max-text-length > 0", maxTextLength);
        require(maxUserLength > 0, "tributary.service.max-user-length > 0", maxUserLength);
        require(
                downstreamPermits > 0,
                "tributary.service.downstream-permits > 0",
                downstreamPermits);
        require(
                downstreamMaxWaiting >= 0,
                "tributary.service.downstream-max-waiting >= 0",
                downstreamMaxWaiting);
        require(
                retryAfter.toSeconds() >= 1,
                "tributary.service.retry-after of at least 1s",
                retryAfter);
        require(
                !downstreamLatency.isNegative(),
                "tributary.service.downstream-latency >= 0",
                downstreamLatency);
    }

    private static void require(boolean ok, String what, Object given) {
        if (!ok) {
            throw new IllegalArgumentException(what + " required but it was " + given);
        }
    }
}
