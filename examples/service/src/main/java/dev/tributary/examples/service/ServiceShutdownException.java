package dev.tributary.examples.service;

/**
 * The cause the service's channels are closed with when it stops ({@link ChannelShutdown}); the
 * streams turn it into a final {@code shutdown} event.
 */
public final class ServiceShutdownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A shutdown cause.
     *
     * @param message why the service stops, sent to the clients
     */
    public ServiceShutdownException(String message) {
        super(message, null, false, false);
    }
}
