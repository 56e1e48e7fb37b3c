package dev.tributary.sync;

/**
 * Thrown, or used to fail a future, when an operation needs a primitive or channel that has been
 * closed: a {@link Semaphore} after {@link Semaphore#close()}, and later a channel whose other side
 * is gone. tokio's {@code AcquireError} and the closed variants of its channel errors map here.
 *
 * <p>Unchecked, like {@link IllegalStateException}, of which it is a subtype.
 */
public class ClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was closed and what was attempted
     */
    public ClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause (a channel closed with a cause reports it here).
     *
     * @param message what was closed and what was attempted
     * @param cause the cause the primitive was closed with
     */
    public ClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
