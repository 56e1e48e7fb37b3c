/**
 * Tributary for Project Reactor: every channel and primitive of {@code dev.tributary.sync} as
 * {@code Flux} and {@code Mono}, lazy and cancellation-correct. Exports {@code
 * dev.tributary.sync.reactor}.
 */
module dev.tributary.sync.reactor {
    requires transitive dev.tributary.sync;
    requires transitive reactor.core;
    // Optional: only TributaryBlockHoundIntegration uses it, and only where BlockHound is present.
    requires static reactor.blockhound;

    exports dev.tributary.sync.reactor;
}
