package dev.tributary.sync.micrometer;

import dev.tributary.sync.Semaphore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Meters for a {@link Semaphore}:
 *
 * <ul>
 *   <li>{@code tributary.semaphore.permits.available} (gauge, base unit {@code permits}): the free
 *       permits, {@link Semaphore#availablePermits()}.
 *   <li>{@code tributary.semaphore.waiters} (gauge, base unit {@code waiters}): the acquisitions
 *       queued right now, {@link Semaphore#waiterCount()}.
 * </ul>
 *
 * <p>Each is tagged {@code name=<the name given>} plus the extra tags. The gauges hold the
 * semaphore weakly (see the package notes).
 */
public final class SemaphoreMetrics implements MeterBinder {

    private final Semaphore semaphore;
    private final Tags tags;

    /**
     * Meters for {@code semaphore}, tagged {@code name=name}.
     *
     * @param semaphore the semaphore to measure
     * @param name the value of the {@code name} tag
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public SemaphoreMetrics(Semaphore semaphore, String name, Iterable<Tag> tags) {
        this.semaphore = Objects.requireNonNull(semaphore, "semaphore must not be null");
        this.tags = Binders.tags(name, tags);
    }

    /**
     * Meters for {@code semaphore}, tagged {@code name=name} only.
     *
     * @param semaphore the semaphore to measure
     * @param name the value of the {@code name} tag
     * @throws NullPointerException if an argument is null
     */
    public SemaphoreMetrics(Semaphore semaphore, String name) {
        this(semaphore, name, Tags.empty());
    }

    /**
     * Registers the meters with {@code registry}.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(
                        "tributary.semaphore.permits.available",
                        semaphore,
                        Semaphore::availablePermits)
                .description("The permits free right now (0 while any acquisition is queued)")
                .baseUnit("permits")
                .tags(tags)
                .register(registry);
        Gauge.builder("tributary.semaphore.waiters", semaphore, Semaphore::waiterCount)
                .description("The acquisitions waiting in the semaphore's queue")
                .baseUnit("waiters")
                .tags(tags)
                .register(registry);
    }
}
