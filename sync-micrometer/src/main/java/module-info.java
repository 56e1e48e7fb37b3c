/**
 * Tributary for Micrometer: a {@code MeterBinder} per primitive of {@code dev.tributary.sync}.
 * Exports {@code dev.tributary.sync.micrometer}.
 */
module dev.tributary.sync.micrometer {
    requires transitive dev.tributary.sync;
    requires transitive micrometer.core;

    exports dev.tributary.sync.micrometer;
}
