/**
 * Tributary: the whole of tokio::sync for the JVM. Exports only {@code dev.tributary.sync}; the
 * waiter core in {@code dev.tributary.sync.internal} stays hidden. The channels' Reactive Streams
 * views expose {@code org.reactivestreams} types, so that module is required transitively.
 */
module dev.tributary.sync {
    requires transitive org.reactivestreams;

    exports dev.tributary.sync;
}
