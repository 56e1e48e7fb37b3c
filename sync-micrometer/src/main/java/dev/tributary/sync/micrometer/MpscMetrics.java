package dev.tributary.sync.micrometer;

import dev.tributary.sync.Mpsc;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Meters for an {@link Mpsc} channel, read through its receiver:
 *
 * <ul>
 *   <li>{@code tributary.mpsc.queued} (gauge, base unit {@code messages}): the messages queued,
 *       {@link Mpsc.AbstractReceiver#len()}.
 *   <li>{@code tributary.mpsc.capacity} (gauge, base unit {@code messages}; bounded channels only):
 *       the capacity the channel was created with, {@link Mpsc.Receiver#maxCapacity()}.
 *   <li>{@code tributary.mpsc.capacity.available} (gauge, base unit {@code messages}; bounded
 *       channels only): the free slots, {@link Mpsc.Receiver#capacity()}.
 * </ul>
 *
 * <p>Tagged {@code name=<the name given>} plus the extra tags. The gauges hold the receiver weakly
 * (see the package notes).
 */
public final class MpscMetrics implements MeterBinder {

    private final Mpsc.AbstractReceiver<?> receiver;
    private final Tags tags;

    /**
     * Meters for the channel of {@code receiver} (bounded or unbounded), tagged {@code name=name}.
     *
     * @param receiver the channel's receiver
     * @param name the value of the {@code name} tag
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public MpscMetrics(Mpsc.AbstractReceiver<?> receiver, String name, Iterable<Tag> tags) {
        this.receiver = Objects.requireNonNull(receiver, "receiver must not be null");
        this.tags = Binders.tags(name, tags);
    }

    /**
     * Meters for the channel of {@code receiver}, tagged {@code name=name} only.
     *
     * @param receiver the channel's receiver
     * @param name the value of the {@code name} tag
     * @throws NullPointerException if an argument is null
     */
    public MpscMetrics(Mpsc.AbstractReceiver<?> receiver, String name) {
        this(receiver, name, Tags.empty());
    }

    /**
     * Registers the meters with {@code registry}: the capacity gauges only for a bounded channel.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tributary.mpsc.queued", receiver, Mpsc.AbstractReceiver::len)
                .description("The messages queued in the channel, not yet received")
                .baseUnit("messages")
                .tags(tags)
                .register(registry);
        if (receiver instanceof Mpsc.Receiver<?> bounded) {
            Gauge.builder("tributary.mpsc.capacity", bounded, Mpsc.Receiver::maxCapacity)
                    .description("The capacity the bounded channel was created with")
                    .baseUnit("messages")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("tributary.mpsc.capacity.available", bounded, Mpsc.Receiver::capacity)
                    .description("The free slots of the bounded channel")
                    .baseUnit("messages")
                    .tags(tags)
                    .register(registry);
        }
    }
}
