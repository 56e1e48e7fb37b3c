package dev.tributary.examples.service;

import java.util.Map;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;

/**
 * Graceful shutdown: when the application context stops, closes the chat and configuration channels
 * with a {@link ServiceShutdownException}, so every stream sends a final {@code shutdown} event
 * (data {@code {"reason": ...}}) and completes.
 *
 * <p>It runs in the first shutdown phase ({@link SmartLifecycle#DEFAULT_PHASE}), before Spring
 * Boot's graceful web-server shutdown, which waits for open requests to finish: the streams end
 * here, so that wait is short and the final events are written before the server stops.
 */
@Component
public class ChannelShutdown implements SmartLifecycle {

    private final ChatService chat;
    private final ConfigService config;
    private volatile boolean running;

    /**
     * Shuts down these channels.
     *
     * @param chat the chat room
     * @param config the configuration channel
     */
    public ChannelShutdown(ChatService chat, ConfigService config) {
        this.chat = chat;
        this.config = config;
    }

    /** Marks the service running; the channels exist from construction. */
    @Override
    public void start() {
        running = true;
    }

    /** Closes both channels with the shutdown cause. */
    @Override
    public void stop() {
        ServiceShutdownException cause = new ServiceShutdownException("the service is stopping");
        chat.close(cause);
        config.close(cause);
        running = false;
    }

    /**
     * Whether {@link #start()} ran and {@link #stop()} did not.
     *
     * @return whether running
     */
    @Override
    public boolean isRunning() {
        return running;
    }

    /** The final event of a stream that ends because the service stops. */
    static ServerSentEvent<Object> event(Throwable cause) {
        String reason =
                cause instanceof ServiceShutdownException
                        ? cause.getMessage()
                        : "the service is stopping";
        return ServerSentEvent.builder().event("shutdown").data(Map.of("reason", reason)).build();
    }
}
