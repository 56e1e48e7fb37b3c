package dev.tributary.examples.service;

import dev.tributary.sync.Watch;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The live configuration: one {@link Watch} channel of {@link RoomConfig}. A stream gets the
 * current value first, then each newer value; a slow stream skips intermediate values (watch
 * channels conflate), it never queues a backlog.
 */
@Service
public class ConfigService {

    /** The configuration the service starts with. */
    static final RoomConfig INITIAL = new RoomConfig("welcome", 0);

    private final Watch.Sender<RoomConfig> sender = Watch.sender(INITIAL);

    /** Creates the channel holding {@link #INITIAL}. */
    public ConfigService() {}

    /**
     * Validates and stores a new configuration, whether or not anyone streams it.
     *
     * @param config the new configuration
     * @return the configuration it replaced
     * @throws org.springframework.web.ErrorResponseException (400) if it is invalid; nothing is
     *     stored then
     * @throws ResponseStatusException (503) if the service is shutting down
     */
    public RoomConfig update(RoomConfig config) {
        if (config == null) {
            throw BadInput.of(
                    "a JSON body {\"topic\": ..., \"slowModeSeconds\": ...} required but it was"
                            + " empty");
        }
        if (config.topic() == null || config.topic().length() > 200) {
            throw BadInput.of(
                    "topic of at most 200 characters required but it was "
                            + (config.topic() == null
                                    ? "missing"
                                    : config.topic().length() + " characters"));
        }
        if (config.slowModeSeconds() < 0 || config.slowModeSeconds() > 3600) {
            throw BadInput.of(
                    "slowModeSeconds in 0..3600 required but it was " + config.slowModeSeconds());
        }
        try {
            return sender.sendReplace(config);
        } catch (IllegalStateException closed) { // ClosedException is one too
            throw new ResponseStatusException(
                    HttpStatus.SERVICE_UNAVAILABLE, "the service is shutting down", closed);
        }
    }

    /**
     * The current configuration.
     *
     * @return the value last stored
     */
    public RoomConfig current() {
        return sender.borrow().get();
    }

    /**
     * The configuration stream of one client: {@code config} events, the current value first, then
     * {@code shutdown} when the service stops.
     *
     * @return the client's events
     */
    public Flux<ServerSentEvent<Object>> stream() {
        return Flux.from(sender.asPublisher())
                .map(
                        config ->
                                ServerSentEvent.<Object>builder()
                                        .event("config")
                                        .data(config)
                                        .build())
                .onErrorResume(
                        e ->
                                e instanceof ServiceShutdownException
                                        || e instanceof IllegalStateException,
                        e -> Mono.just(ChannelShutdown.event(e)));
    }

    /**
     * Closes the channel with {@code cause}: each stream gets the final value, then {@code
     * shutdown}.
     *
     * @param cause why
     */
    void close(ServiceShutdownException cause) {
        try {
            sender.closeChannel(cause);
        } catch (IllegalStateException alreadyClosed) {
            // stop() ran twice; the first call closed the channel.
        }
    }
}
