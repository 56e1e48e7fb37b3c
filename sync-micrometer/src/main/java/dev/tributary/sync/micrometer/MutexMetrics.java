package dev.tributary.sync.micrometer;

import dev.tributary.sync.Mutex;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Meters for a {@link Mutex}:
 *
 * <ul>
 *   <li>{@code tributary.mutex.locked} (gauge): 1 while the lock is held or being handed to a
 *       waiter, 0 otherwise, {@link Mutex#isLocked()}.
 *   <li>{@code tributary.mutex.waiters} (gauge, base unit {@code waiters}): the lock requests
 *       queued right now, {@link Mutex#waiterCount()}.
 * </ul>
 *
 * <p>Tagged {@code name=<the name given>} plus the extra tags. The gauges hold the mutex weakly
 * (see the package notes).
 */
public final class MutexMetrics implements MeterBinder {

    private final Mutex<?> mutex;
    private final Tags tags;

    /**
     * Meters for {@code mutex}, tagged {@code name=name}.
     *
     * @param mutex the mutex to measure
     * @param name the value of the {@code name} tag
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public MutexMetrics(Mutex<?> mutex, String name, Iterable<Tag> tags) {
        this.mutex = Objects.requireNonNull(mutex, "mutex must not be null");
        this.tags = Binders.tags(name, tags);
    }

    /**
     * Meters for {@code mutex}, tagged {@code name=name} only.
     *
     * @param mutex the mutex to measure
     * @param name the value of the {@code name} tag
     * @throws NullPointerException if an argument is null
     */
    public MutexMetrics(Mutex<?> mutex, String name) {
        this(mutex, name, Tags.empty());
    }

    /**
     * Registers the meters with {@code registry}.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tributary.mutex.locked", mutex, m -> m.isLocked() ? 1 : 0)
                .description("1 while the mutex is held or being handed to a waiter, else 0")
                .tags(tags)
                .register(registry);
        Gauge.builder("tributary.mutex.waiters", mutex, Mutex::waiterCount)
                .description("The lock requests waiting in the mutex's queue")
                .baseUnit("waiters")
                .tags(tags)
                .register(registry);
    }
}
