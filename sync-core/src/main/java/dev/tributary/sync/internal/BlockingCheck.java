package dev.tributary.sync.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Guards the {@code blocking*} methods: they must not park a thread that Reactor marked
 * non-blocking, the way tokio panics when {@code blocking_*} is called inside its runtime.
 *
 * <p>Reactor marks its non-blocking threads (those of {@code Schedulers.parallel()}, {@code
 * single()} and event loops such as Reactor Netty's) by having the thread class implement {@code
 * reactor.core.scheduler.NonBlocking}. This check looks for that interface by name, so {@code
 * sync-core} needs no Reactor dependency; the answer is cached per thread class.
 */
public final class BlockingCheck {
    private static final String NON_BLOCKING = "reactor.core.scheduler.NonBlocking";

    private static final ClassValue<Boolean> MARKED =
            new ClassValue<>() {
                @Override
                protected Boolean computeValue(Class<?> type) {
                    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                        if (implementsNonBlocking(c)) {
                            return Boolean.TRUE;
                        }
                    }
                    return Boolean.FALSE;
                }
            };

    private BlockingCheck() {}

    private static boolean implementsNonBlocking(Class<?> c) {
        for (Class<?> i : c.getInterfaces()) {
            if (i.getName().equals(NON_BLOCKING) || implementsNonBlocking(i)) {
                return true;
            }
        }
        return false;
    }

    /** Returns true if the current thread is one that Reactor marked non-blocking. */
    public static boolean isNonBlockingThread() {
        return MARKED.get(Thread.currentThread().getClass());
    }

    /**
     * Fails if the current thread must not block.
     *
     * @param method the blocking method's name, for the message
     * @throws IllegalStateException on a Reactor non-blocking thread
     */
    public static void check(String method) {
        if (isNonBlockingThread()) {
            throw new IllegalStateException(
                    method
                            + " would park "
                            + Thread.currentThread().getName()
                            + ", a non-blocking (Reactor) thread: use the CompletableFuture method instead,"
                            + " or call it from a thread that may block (e.g. Schedulers.boundedElastic())");
        }
    }

    /**
     * Converts a timeout to a deadline for {@link Waiter#awaitBlocking(long, Object)}.
     *
     * @param timeout a non-null duration; zero or negative means "do not wait"
     * @return a {@link System#nanoTime()} deadline
     */
    public static long deadlineOf(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE;
        }
        nanos = Math.max(0L, nanos);
        long now = System.nanoTime();
        long deadline = now + nanos;
        // Saturate on overflow: a timeout of centuries means no timeout.
        return deadline < now ? Long.MAX_VALUE - 1 : deadline;
    }
}
