package dev.tributary.examples.service;

import dev.tributary.sync.Semaphore;
import dev.tributary.sync.reactor.ReactorSync;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Limits the downstream calls of every request together: at most N in flight ({@code
 * downstream-permits}, the permits of one shared Tributary {@link Semaphore}), at most M waiting
 * for a permit ({@code downstream-max-waiting}), and a {@link LimiterFullException} (429) for a
 * call that arrives when M already wait.
 *
 * <ul>
 *   <li><b>Waiting without a thread</b>: a waiting call is a waiter registered in the semaphore
 *       ({@link ReactorSync#withPermit}), not a parked thread, so no Netty event-loop thread is
 *       held while it waits.
 *   <li><b>FIFO</b>: permits go to the waiting calls in arrival order.
 *   <li><b>Bounded queue</b>: a call counts as waiting from its admission until its permit is
 *       granted (or it is cancelled); the count never exceeds M, and a call is rejected exactly
 *       when it finds M waiting.
 *   <li><b>Cancellation</b>: a client that disconnects while waiting withdraws its waiter and
 *       leaves the count; one that disconnects while in flight cancels the call and releases its
 *       permit.
 * </ul>
 */
@Component
public class DownstreamLimiter {

    private final Semaphore semaphore;
    private final int maxWaiting;
    private final ServiceProperties properties;
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * A limiter with {@code downstream-permits} permits and room for {@code downstream-max-waiting}
     * waiting calls.
     *
     * @param properties the service settings
     */
    public DownstreamLimiter(ServiceProperties properties) {
        this.properties = properties;
        this.semaphore = new Semaphore(properties.downstreamPermits());
        this.maxWaiting = properties.downstreamMaxWaiting();
    }

    /**
     * Runs {@code call} with a permit held, released when its Mono ends or is cancelled.
     *
     * @param call the downstream call, subscribed once the permit is granted
     * @param <T> the result type
     * @return a Mono of the call's result; {@code onError(LimiterFullException)} at once if M calls
     *     already wait. The call is subscribed on the thread that granted the permit (the
     *     subscribing thread if one was free, otherwise the thread whose call just finished).
     */
    public <T> Mono<T> call(Supplier<? extends Mono<T>> call) {
        return Mono.defer(
                () -> {
                    if (!tryEnterQueue()) {
                        return Mono.error(
                                new LimiterFullException(maxWaiting, properties.retryAfter()));
                    }
                    AtomicBoolean queued = new AtomicBoolean(true);
                    Runnable leaveQueue =
                            () -> {
                                if (queued.compareAndSet(true, false)) {
                                    waiting.decrementAndGet();
                                }
                            };
                    return ReactorSync.withPermit(
                                    semaphore,
                                    Mono.defer(
                                            () -> {
                                                leaveQueue.run(); // the permit is held now
                                                return call.get();
                                            }))
                            .singleOrEmpty()
                            .doFinally(signal -> leaveQueue.run()); // cancelled while waiting
                });
    }

    private boolean tryEnterQueue() {
        while (true) {
            int now = waiting.get();
            if (now >= maxWaiting) {
                return false;
            }
            if (waiting.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /**
     * How many calls wait for a permit right now. For monitoring.
     *
     * @return the waiting calls, {@code 0..M}
     */
    public int waiting() {
        return waiting.get();
    }

    /**
     * The shared semaphore, for metrics and for other users that should count against the same
     * limit.
     *
     * @return the semaphore
     */
    public Semaphore semaphore() {
        return semaphore;
    }
}
