package dev.tributary.examples.service;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /work/{id}}: a downstream call through {@link DownstreamLimiter}. */
@RestController
public class WorkController {

    private final DownstreamLimiter limiter;
    private final Downstream downstream;

    /**
     * A controller over the limited downstream.
     *
     * @param limiter the shared limit
     * @param downstream the downstream service
     */
    public WorkController(DownstreamLimiter limiter, Downstream downstream) {
        this.limiter = limiter;
        this.downstream = downstream;
    }

    /**
     * The result of one work item.
     *
     * @param id the item
     * @param result the downstream's answer
     */
    public record WorkResult(String id, String result) {}

    /**
     * Calls the downstream for {@code id}, waiting for a permit if N calls are in flight.
     *
     * @param id the item
     * @return 200 with the result, or 429 with {@code Retry-After} when M calls already wait
     */
    @GetMapping("/work/{id}")
    public Mono<WorkResult> work(@PathVariable String id) {
        return limiter.call(() -> downstream.call(id)).map(result -> new WorkResult(id, result));
    }
}
