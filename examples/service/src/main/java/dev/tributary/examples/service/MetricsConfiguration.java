package dev.tributary.examples.service;

import dev.tributary.sync.micrometer.BroadcastMetrics;
import dev.tributary.sync.micrometer.SemaphoreMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The sync-micrometer binders as beans: Spring Boot Actuator binds every {@link MeterBinder} bean
 * to its registry, so they appear under {@code /actuator/metrics}.
 */
@Configuration(proxyBeanMethods = false)
public class MetricsConfiguration {

    /** Spring instantiates it. */
    public MetricsConfiguration() {}

    /**
     * {@code tributary.semaphore.*{name=downstream}}: the limiter's permits.
     *
     * @param limiter the limiter
     * @return the binder
     */
    @Bean
    public SemaphoreMetrics downstreamSemaphoreMetrics(DownstreamLimiter limiter) {
        return new SemaphoreMetrics(limiter.semaphore(), "downstream");
    }

    /**
     * {@code tributary.broadcast.*{name=chat}}: the chat room's receivers, queue and lag.
     *
     * @param chat the room
     * @return the binder
     */
    @Bean
    public BroadcastMetrics chatBroadcastMetrics(ChatService chat) {
        return chat.metrics();
    }

    /**
     * {@code tributary.service.downstream.waiting}: the calls waiting for a permit, {@code 0..M}.
     *
     * @param limiter the limiter
     * @return the binder
     */
    @Bean
    public MeterBinder downstreamWaitingMetrics(DownstreamLimiter limiter) {
        return registry ->
                Gauge.builder(
                                "tributary.service.downstream.waiting",
                                limiter,
                                DownstreamLimiter::waiting)
                        .description("Downstream calls waiting for a permit of the limiter")
                        .baseUnit("calls")
                        .register(registry);
    }
}
