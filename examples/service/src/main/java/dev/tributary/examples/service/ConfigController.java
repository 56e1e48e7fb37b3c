package dev.tributary.examples.service;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * {@code GET /config}, {@code PUT /config} and {@code GET /config/stream}; see {@link
 * ConfigService}.
 */
@RestController
public class ConfigController {

    private final ConfigService config;

    /**
     * A controller over the configuration.
     *
     * @param config the configuration channel
     */
    public ConfigController(ConfigService config) {
        this.config = config;
    }

    /**
     * The current configuration.
     *
     * @return it, as JSON
     */
    @GetMapping("/config")
    public RoomConfig get() {
        return config.current();
    }

    /**
     * Replaces the configuration; every stream sees the change.
     *
     * @param update {@code {"topic": ..., "slowModeSeconds": ...}}
     * @return the new configuration
     */
    @PutMapping(path = "/config", consumes = MediaType.APPLICATION_JSON_VALUE)
    public RoomConfig put(@RequestBody(required = false) RoomConfig update) {
        config.update(update);
        return update;
    }

    /**
     * Streams the configuration as server-sent {@code config} events, the current one first.
     *
     * @return the event stream
     */
    @GetMapping(path = "/config/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream() {
        return config.stream();
    }
}
