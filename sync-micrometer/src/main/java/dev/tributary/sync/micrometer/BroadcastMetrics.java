package dev.tributary.sync.micrometer;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LaggedException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Meters for a {@link Broadcast} channel, read through a sender:
 *
 * <ul>
 *   <li>{@code tributary.broadcast.receivers} (gauge, base unit {@code receivers}): the subscribed
 *       receivers, {@link Broadcast.Sender#receiverCount()}.
 *   <li>{@code tributary.broadcast.queued} (gauge, base unit {@code messages}): the values retained
 *       that some receiver has not read yet, {@link Broadcast.Sender#len()}.
 *   <li>{@code tributary.broadcast.lagged} (function counter, base unit {@code messages}): the
 *       values receivers missed because they lagged, as reported to this binder through {@link
 *       #lagRecorder()} or {@link #recordLag(long)}.
 * </ul>
 *
 * <p>The lag count is what receivers report: pass {@link #lagRecorder()} as the {@code onLag}
 * callback of {@link Broadcast.Sender#asPublisher(dev.tributary.sync.LagPolicy, LongConsumer)}, and
 * call {@link #recordLag(long)} with {@link LaggedException#missed()} where a receiver catches
 * {@link LaggedException}. A receiver that reports nowhere is not counted.
 *
 * <p>Tagged {@code name=<the name given>} plus the extra tags. The gauges hold the sender weakly
 * (see the package notes), so a binder never keeps a channel's sender reachable; the lag counter
 * holds this binder's own tally.
 */
public final class BroadcastMetrics implements MeterBinder {

    private final Broadcast.Sender<?> sender;
    private final Tags tags;
    private final LongAdder lagged = new LongAdder();

    /**
     * Meters for the channel of {@code sender}, tagged {@code name=name}.
     *
     * @param sender a sender of the channel
     * @param name the value of the {@code name} tag
     * @param tags extra tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public BroadcastMetrics(Broadcast.Sender<?> sender, String name, Iterable<Tag> tags) {
        this.sender = Objects.requireNonNull(sender, "sender must not be null");
        this.tags = Binders.tags(name, tags);
    }

    /**
     * Meters for the channel of {@code sender}, tagged {@code name=name} only.
     *
     * @param sender a sender of the channel
     * @param name the value of the {@code name} tag
     * @throws NullPointerException if an argument is null
     */
    public BroadcastMetrics(Broadcast.Sender<?> sender, String name) {
        this(sender, name, Tags.empty());
    }

    /**
     * Adds {@code missed} values to the lag count. Thread-safe, never blocks.
     *
     * @param missed the values a receiver missed, {@code >= 0}
     * @throws IllegalArgumentException if {@code missed < 0}
     */
    public void recordLag(long missed) {
        if (missed < 0) {
            throw new IllegalArgumentException("missed >= 0 required but it was " + missed);
        }
        lagged.add(missed);
    }

    /**
     * Returns a lag callback that adds to this binder's lag count, for the {@code onLag} argument
     * of the channel's publisher views. It may be shared by any number of views and threads.
     *
     * @return the callback, {@code missed -> recordLag(missed)}
     */
    public LongConsumer lagRecorder() {
        return this::recordLag;
    }

    /**
     * Registers the meters with {@code registry}.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tributary.broadcast.receivers", sender, Broadcast.Sender::receiverCount)
                .description("The receivers subscribed to the channel")
                .baseUnit("receivers")
                .tags(tags)
                .register(registry);
        Gauge.builder("tributary.broadcast.queued", sender, Broadcast.Sender::len)
                .description("The values retained that some receiver has not read yet")
                .baseUnit("messages")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("tributary.broadcast.lagged", lagged, LongAdder::sum)
                .description("The values receivers missed because they lagged behind the channel")
                .baseUnit("messages")
                .tags(tags)
                .register(registry);
    }
}
