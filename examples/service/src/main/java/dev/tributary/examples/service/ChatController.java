package dev.tributary.examples.service;

import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/** {@code POST /chat} and {@code GET /chat/stream}; see {@link ChatService}. */
@RestController
public class ChatController {

    private final ChatService chat;

    /**
     * A controller over the room.
     *
     * @param chat the room
     */
    public ChatController(ChatService chat) {
        this.chat = chat;
    }

    /**
     * Publishes a message.
     *
     * @param message {@code {"user": ..., "text": ...}}
     * @return {@code {"id": n}}, the message's id
     */
    @PostMapping(path = "/chat", consumes = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Long> post(@RequestBody(required = false) ChatMessage message) {
        return Map.of("id", chat.publish(message).id());
    }

    /**
     * Streams the room as server-sent events: {@code joined}, {@code message}, {@code lagged},
     * {@code shutdown}.
     *
     * @return the event stream
     */
    @GetMapping(path = "/chat/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Object>> stream() {
        return chat.stream();
    }
}
