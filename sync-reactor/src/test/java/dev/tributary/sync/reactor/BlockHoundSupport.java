package dev.tributary.sync.reactor;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;

/**
 * Installs BlockHound once per test JVM (with Reactor's own integration, found by ServiceLoader)
 * and records every blocking call it detects on a non-blocking thread, so that a detection is seen
 * even where the error it throws is swallowed (for instance by a scheduler's error handler); a test
 * with a detection fails. Every test class of this module uses it, so every test runs under
 * BlockHound whatever the order of the classes.
 *
 * <p>Nothing is tolerated here: sync-core's own short waits (its {@code ShortLock} critical
 * sections and the bounded spin for another thread's half-written slot) are allowed by {@link
 * TributaryBlockHoundIntegration}, which this module registers with BlockHound through {@code
 * META-INF/services} exactly as a user's test run picks it up; every detection fails the test that
 * caused it.
 */
final class BlockHoundSupport implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    /** Every detection since the last {@link #drain()}, with its stack. */
    static final List<Throwable> DETECTED = new CopyOnWriteArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        drain();
    }

    /**
     * Fails the test if it made a blocking call on a non-blocking thread (even a swallowed one).
     */
    @Override
    public void afterEach(ExtensionContext context) {
        List<Throwable> detected = drain();
        if (!detected.isEmpty()) {
            StringWriter w = new StringWriter();
            detected.get(0).printStackTrace(new PrintWriter(w));
            throw new AssertionError(
                    detected.size() + " blocking call(s) on a non-blocking thread; first:\n" + w);
        }
    }

    static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            BlockHound.install(
                    builder ->
                            builder.blockingMethodCallback(
                                    method -> {
                                        BlockingOperationError e =
                                                new BlockingOperationError(method);
                                        DETECTED.add(e);
                                        throw e;
                                    }));
        }
    }

    /** Returns and clears the detections so far. */
    static List<Throwable> drain() {
        List<Throwable> copy = List.copyOf(DETECTED);
        DETECTED.clear();
        return copy;
    }
}
