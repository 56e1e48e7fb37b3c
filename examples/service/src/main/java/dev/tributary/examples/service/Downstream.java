package dev.tributary.examples.service;

import reactor.core.publisher.Mono;

/**
 * The downstream service that {@code GET /work/{id}} calls, limited by {@link DownstreamLimiter}.
 * The service ships a simulated one ({@link SimulatedDownstream}).
 */
public interface Downstream {

    /**
     * Calls the downstream for {@code id}. Lazy: nothing happens before subscription.
     *
     * @param id what to work on
     * @return a Mono of the downstream's answer; cancelling it abandons the call
     */
    Mono<String> call(String id);
}
