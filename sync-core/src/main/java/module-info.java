/**
 * Tributary: the whole of tokio::sync for the JVM. Exports only {@code dev.tributary.sync}; the
 * waiter core in {@code dev.tributary.sync.internal} stays hidden.
 */
module dev.tributary.sync {
    exports dev.tributary.sync;
}
