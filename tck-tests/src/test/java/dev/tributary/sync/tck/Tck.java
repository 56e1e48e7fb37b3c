package dev.tributary.sync.tck;

import org.reactivestreams.tck.TestEnvironment;

/** Shared settings for every TCK verification in this module. */
final class Tck {

    /**
     * How long the TCK waits for a signal it expects. Generous, because CI runs on two busy cores
     * and an expected signal ends the wait as soon as it arrives.
     */
    static final long TIMEOUT_MILLIS = 2_000;

    /**
     * How long the TCK watches for a signal that must not come. Every such check costs this much,
     * so it is kept short; a view that wrongly signals does so at once, in the same drain loop.
     */
    static final long NO_SIGNALS_MILLIS = 100;

    /**
     * How often the TCK re-checks for an expected error (the rule 3.9 tests). With the two-argument
     * constructor it equals {@link #TIMEOUT_MILLIS}, so each of those tests would wait 2 s even
     * when the error had arrived at once.
     */
    static final long POLL_MILLIS = 10;

    /** How long a publisher may take to drop a cancelled subscriber (rule 3.13). */
    static final long PUBLISHER_GC_MILLIS = 1_000;

    private Tck() {}

    /** A fresh environment; the TCK wants one per verification instance. */
    static TestEnvironment env() {
        return new TestEnvironment(TIMEOUT_MILLIS, NO_SIGNALS_MILLIS, POLL_MILLIS);
    }
}
