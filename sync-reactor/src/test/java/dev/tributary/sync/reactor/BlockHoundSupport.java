package dev.tributary.sync.reactor;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.extension.AfterAllCallback;
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
 * <p>One kind of detection is tolerated, counted and reported instead of thrown: a park inside
 * {@code ReentrantLock.lock()} called directly by a sync-core class. sync-core guards its waiter
 * lists (and a few channel slow paths) with a {@code ReentrantLock} whose critical sections are
 * O(1) or O(waiters woken) and never run user code; under contention the AQS acquire parks the
 * thread until the holder leaves. That is a real, if short, park of a non-blocking thread, so it is
 * <em>not</em> silently allow-listed: {@link #TOLERATED} keeps the count per call site, the tests
 * print it, {@code BlockHoundTest.syncCoreContendedLockParksANonBlockingThread} reproduces it
 * (disabled, as a sync-core finding), and the module report describes it. Every other detection
 * fails the test that caused it.
 */
final class BlockHoundSupport
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    /** Whether a park under sync-core's ReentrantLock is tolerated (see the class doc). */
    static volatile boolean tolerateSyncCoreWaits = true;

    /** Every untolerated detection since the last {@link #drain()}, with its stack. */
    static final List<Throwable> DETECTED = new CopyOnWriteArrayList<>();

    /** Tolerated parks by sync-core call site ("Class.method"), since the JVM started. */
    static final Map<String, LongAdder> TOLERATED = new ConcurrentHashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    /** Prints the tolerated sync-core waits seen so far (cumulative), after each test class. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (!TOLERATED.isEmpty()) {
            System.out.println(
                    "BlockHound, after "
                            + context.getDisplayName()
                            + ": sync-core waits on non-blocking threads so far (tolerated,"
                            + " reported): "
                            + TOLERATED);
        }
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
                                        String site = syncCoreSite(e.getStackTrace());
                                        if (site != null && tolerateSyncCoreWaits) {
                                            TOLERATED
                                                    .computeIfAbsent(site, k -> new LongAdder())
                                                    .increment();
                                            return;
                                        }
                                        DETECTED.add(e);
                                        throw e;
                                    }));
        }
    }

    /**
     * If the park comes from one of sync-core's two known short waits, its call site ("kind at
     * Class.method, called from Class.method"), else null: {@code ReentrantLock.lock()} called by a
     * sync-core class, or {@code Spin.backOff} (its {@code Thread.onSpinWait}/{@code Thread.yield}
     * wait for another thread's half-written slot).
     */
    static String syncCoreSite(StackTraceElement[] stack) {
        for (int i = 0; i + 2 < stack.length; i++) {
            StackTraceElement f = stack[i];
            StackTraceElement caller = stack[i + 1];
            if (!isSyncCore(caller)) {
                continue;
            }
            boolean lock =
                    f.getClassName().equals("java.util.concurrent.locks.ReentrantLock")
                            && f.getMethodName().equals("lock");
            boolean spin =
                    caller.getClassName().equals("dev.tributary.sync.internal.Spin")
                            && f.getClassName().equals("java.lang.Thread");
            if (lock || spin) {
                int k = i + 2;
                while (k < stack.length
                        && stack[k].getClassName().equals("dev.tributary.sync.internal.Spin")) {
                    k++;
                }
                String from = k < stack.length ? name(stack[k]) : "?";
                return (lock ? "ReentrantLock.lock" : "Thread." + f.getMethodName())
                        + " at "
                        + name(caller)
                        + (spin ? ", called from " + from : "");
            }
            return null;
        }
        return null;
    }

    private static boolean isSyncCore(StackTraceElement f) {
        return f.getClassName().startsWith("dev.tributary.sync.")
                && !f.getClassName().startsWith("dev.tributary.sync.reactor.");
    }

    private static String name(StackTraceElement f) {
        String c = f.getClassName();
        return c.substring(c.lastIndexOf('.') + 1) + "." + f.getMethodName();
    }

    /** Returns and clears the untolerated detections so far. */
    static List<Throwable> drain() {
        List<Throwable> copy = List.copyOf(DETECTED);
        DETECTED.clear();
        return copy;
    }
}
