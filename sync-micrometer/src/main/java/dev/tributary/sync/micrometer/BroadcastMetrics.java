package dev.tributary.sync.micrometer;

import dev.tributary.sync.Broadcast;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Meters for a {@link Broadcast} channel, read through a sender:
 *
 * <ul>
 *   <li>{@code tributary.broadcast.receivers} (gauge, base unit {@code receivers}): the subscribed
 *       receivers, {@link Broadcast.Sender#receiverCount()}.
 *   <li>{@code tributary.broadcast.queued} (gauge, base unit {@code messages}): the values retained
 *       that some receiver has not read yet, {@link Broadcast.Sender#len()}.
 *   <li>{@code tributary.broadcast.lagged} (function counter, base unit {@code messages}): the
 *       values the channel's receivers missed because they lagged, in all, {@link
 *       Broadcast.Sender#laggedCount()} (every receiver counts, with or without a publisher view:
 *       the channel keeps the total).
 * </ul>
 *
 * <p>Tagged {@code name=<the name given>} plus the extra tags. The meters hold the sender weakly
 * (see the package notes), so a binder never keeps a channel's sender reachable.
 */
public final class BroadcastMetrics implements MeterBinder {

    private final Broadcast.Sender<?> sender;
    private final Tags tags;

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
        FunctionCounter.builder("tributary.broadcast.lagged", sender, Broadcast.Sender::laggedCount)
                .description("The values receivers missed because they lagged behind the channel")
                .baseUnit("messages")
                .tags(tags)
                .register(registry);
    }
}
