package dev.tributary.examples.service;

import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A stand-in for a remote service: answers after {@code downstream-latency} on Reactor's timer,
 * without holding a thread while it waits (as a WebClient call would).
 */
@Component
public class SimulatedDownstream implements Downstream {

    private final ServiceProperties properties;

    /**
     * A downstream with the configured latency.
     *
     * @param properties the service settings
     */
    public SimulatedDownstream(ServiceProperties properties) {
        this.properties = properties;
    }

    /**
     * Answers {@code "done <id>"} after the configured latency.
     *
     * @param id what to work on
     * @return the answer, on Reactor's parallel scheduler
     */
    @Override
    public Mono<String> call(String id) {
        return Mono.delay(properties.downstreamLatency()).map(tick -> "done " + id);
    }
}
