package dev.tributary.sync.micrometer;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;

/** What every binder shares: the {@code name} tag and the argument checks. */
final class Binders {

    private Binders() {}

    /** The binder's tags: {@code name=name} plus {@code extra}; rejects a null or blank name. */
    static Tags tags(String name, Iterable<Tag> extra) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(extra, "tags must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException(
                    "a non-blank name required but it was '" + name + "'");
        }
        return Tags.of("name", name).and(extra);
    }
}
