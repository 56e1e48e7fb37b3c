package dev.tributary.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A Jox {@code com.softwaremill.jox.Channel} (softwaremill/jox 1.0.1) reached through method
 * handles. Jox's class files target Java 21 and this module compiles for Java 17, so no class here
 * names a Jox type: the channel is an {@code Object}, its {@code send} and {@code receive} are
 * method handles adapted to {@code (Object, Object)void} and {@code (Object)Object}. The handles
 * are static finals, so the JIT inlines through them as through a direct call.
 *
 * <p>On a JDK older than 21 loading the class fails; {@link #create(int)} then throws {@link
 * IllegalArgumentException}, and the benchmark profiles run Jox only on lines marked {@code
 * jdk=21}.
 */
final class JoxChannel {

    private static final String CHANNEL = "com.softwaremill.jox.Channel";

    private static final MethodHandle NEW_BUFFERED;
    private static final MethodHandle NEW_UNLIMITED;
    private static final MethodHandle SEND;
    private static final MethodHandle RECEIVE;
    private static final Throwable UNAVAILABLE;

    static {
        MethodHandle newBuffered = null;
        MethodHandle newUnlimited = null;
        MethodHandle send = null;
        MethodHandle receive = null;
        Throwable unavailable = null;
        try {
            Class<?> c = Class.forName(CHANNEL);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            newBuffered =
                    l.findStatic(c, "newBufferedChannel", MethodType.methodType(c, int.class))
                            .asType(MethodType.methodType(Object.class, int.class));
            newUnlimited =
                    l.findStatic(c, "newUnlimitedChannel", MethodType.methodType(c))
                            .asType(MethodType.methodType(Object.class));
            send =
                    l.findVirtual(c, "send", MethodType.methodType(void.class, Object.class))
                            .asType(MethodType.methodType(void.class, Object.class, Object.class));
            receive =
                    l.findVirtual(c, "receive", MethodType.methodType(Object.class))
                            .asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            unavailable = e;
        }
        NEW_BUFFERED = newBuffered;
        NEW_UNLIMITED = newUnlimited;
        SEND = send;
        RECEIVE = receive;
        UNAVAILABLE = unavailable;
    }

    private final Object channel;

    private JoxChannel(Object channel) {
        this.channel = channel;
    }

    /**
     * Creates a Jox channel.
     *
     * @param capacity a buffered channel's capacity, or 0 for an unlimited channel
     * @return the channel
     * @throws IllegalArgumentException if Jox cannot be loaded (a JDK older than 21)
     */
    static JoxChannel create(int capacity) {
        if (UNAVAILABLE != null) {
            throw new IllegalArgumentException(
                    "Jox needs a JDK 21+ fork (run it on a jdk=21 profile line) but "
                            + CHANNEL
                            + " failed to load on Java "
                            + Runtime.version().feature()
                            + ": "
                            + UNAVAILABLE,
                    UNAVAILABLE);
        }
        try {
            Object ch =
                    capacity == 0
                            ? (Object) NEW_UNLIMITED.invokeExact()
                            : (Object) NEW_BUFFERED.invokeExact(capacity);
            return new JoxChannel(ch);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Jox {@code send}: waits while the buffer is full.
     *
     * @param value the message
     * @throws InterruptedException if interrupted while waiting
     */
    void send(Object value) throws InterruptedException {
        try {
            SEND.invokeExact(channel, value);
        } catch (InterruptedException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Jox {@code receive}: waits while the channel is empty.
     *
     * @return the message
     * @throws InterruptedException if interrupted while waiting
     */
    Object receive() throws InterruptedException {
        try {
            return (Object) RECEIVE.invokeExact(channel);
        } catch (InterruptedException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
