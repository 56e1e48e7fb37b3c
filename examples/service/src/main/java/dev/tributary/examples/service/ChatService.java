package dev.tributary.examples.service;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.ClosedException;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.micrometer.BroadcastMetrics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The chat room: one {@link Broadcast} channel of {@link ChatEvent}s that every stream subscribes
 * to.
 *
 * <p><b>Lag policy: {@link LagPolicy#SKIP}.</b> Publishing never waits for a client. A client whose
 * connection does not keep up (its TCP window and Netty's write buffer are full, so it stops
 * requesting) falls behind; once more than {@code chat-capacity} messages arrived that it has not
 * taken, the oldest are overwritten for it. When it next has demand it receives a {@code lagged}
 * event whose data is {@code {"missed": n}}, the exact number of messages it lost, and then the
 * oldest message the channel still retains, and on in order. The other clients are not affected:
 * each has its own cursor into the channel.
 *
 * <p>Every stream starts with a {@code joined} event, sent once its receiver exists: every message
 * published after a client saw {@code joined} reaches it (or is counted in a {@code lagged} event).
 * When the service stops, each stream ends with a {@code shutdown} event ({@link ChannelShutdown}).
 */
@Service
public class ChatService {

    private final Broadcast.Sender<ChatEvent> sender;
    private final BroadcastMetrics metrics;
    private final ServiceProperties properties;
    private long lastId; // guarded by this

    /**
     * Creates the room's channel with {@code chat-capacity}.
     *
     * @param properties the service settings
     */
    public ChatService(ServiceProperties properties) {
        this.properties = properties;
        this.sender = Broadcast.sender(properties.chatCapacity());
        this.metrics = new BroadcastMetrics(sender, "chat");
    }

    /**
     * Validates and publishes a message to every connected client.
     *
     * @param message the message
     * @return the message as published, with its id
     * @throws org.springframework.web.ErrorResponseException (400) if the user or text is empty or
     *     too long; nothing is published then
     * @throws ResponseStatusException (503) if the service is shutting down
     */
    public ChatEvent publish(ChatMessage message) {
        if (message == null) {
            throw BadInput.of(
                    "a JSON body {\"user\": ..., \"text\": ...} required but it was empty");
        }
        String user = BadInput.text("user", message.user(), properties.maxUserLength());
        String text = BadInput.text("text", message.text(), properties.maxTextLength());
        // One lock so ids are assigned in send order; send itself never waits, so the critical
        // section is short (it hands the message to the clients waiting for it, nothing more).
        synchronized (this) {
            ChatEvent event = new ChatEvent(lastId + 1, user, text);
            try {
                sender.send(event);
            } catch (ClosedException e) {
                if (e.getCause() instanceof ServiceShutdownException) {
                    throw new ResponseStatusException(
                            HttpStatus.SERVICE_UNAVAILABLE, "the service is shutting down", e);
                }
                // No client is connected: the message is published to nobody, as Broadcast's
                // send reports; it still takes its id, so ids stay the publication order.
            } catch (IllegalStateException e) {
                throw new ResponseStatusException(
                        HttpStatus.SERVICE_UNAVAILABLE, "the service is shutting down", e);
            }
            lastId = event.id();
            return event;
        }
    }

    /**
     * The chat stream of one client: {@code joined}, then {@code message} events (and {@code
     * lagged} events when it fell behind), then {@code shutdown} when the service stops.
     *
     * @return the client's events; cancelling (the client disconnecting) closes its receiver
     */
    public Flux<ServerSentEvent<Object>> stream() {
        return Flux.defer(
                () -> {
                    Broadcast.Receiver<ChatEvent> receiver;
                    try {
                        receiver = sender.subscribe();
                    } catch (IllegalStateException closed) {
                        return Flux.just(ChannelShutdown.event(closed));
                    }
                    AtomicLong missed = new AtomicLong();
                    Flux<ServerSentEvent<Object>> messages =
                            Flux.from(
                                            receiver.asPublisher(
                                                    LagPolicy.SKIP,
                                                    n -> {
                                                        // Runs just before the oldest retained
                                                        // message is delivered to this client.
                                                        missed.addAndGet(n);
                                                    }))
                                    // Prefetch 1: this client's demand reaches the channel as
                                    // it is, so a slow client lags in the channel (and is told),
                                    // not in a buffer here.
                                    .concatMapIterable(event -> events(missed, event), 1);
                    return Flux.concat(
                                    Mono.just(
                                            ServerSentEvent.builder()
                                                    .event("joined")
                                                    .data(Map.of("lastId", lastId()))
                                                    .build()),
                                    messages)
                            .onErrorResume(
                                    ServiceShutdownException.class,
                                    e -> Mono.just(ChannelShutdown.event(e)))
                            .doFinally(signal -> receiver.close());
                });
    }

    private static List<ServerSentEvent<Object>> events(AtomicLong missed, ChatEvent event) {
        ServerSentEvent<Object> message =
                ServerSentEvent.builder()
                        .event("message")
                        .id(Long.toString(event.id()))
                        .data(event)
                        .build();
        long lost = missed.getAndSet(0);
        if (lost == 0) {
            return List.of(message);
        }
        return List.of(
                ServerSentEvent.builder().event("lagged").data(Map.of("missed", lost)).build(),
                message);
    }

    /**
     * The id of the last message published, 0 before the first.
     *
     * @return the last id
     */
    public synchronized long lastId() {
        return lastId;
    }

    /**
     * The room's meters: receivers, queued messages, and the messages clients missed by lagging.
     *
     * @return the binder, registered by {@link MetricsConfiguration}
     */
    public BroadcastMetrics metrics() {
        return metrics;
    }

    /**
     * Closes the channel with {@code cause}: every stream delivers what it has, then its {@code
     * shutdown} event, and completes; later publishes get 503.
     *
     * @param cause why
     */
    void close(ServiceShutdownException cause) {
        synchronized (this) {
            try {
                sender.closeChannel(cause);
            } catch (IllegalStateException alreadyClosed) {
                // stop() ran twice; the first call closed the channel.
            }
        }
    }
}
