package dev.tributary.sync;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Test support for the {@code jdk21}-tagged tests: a virtual-thread-per-task executor, reached by
 * reflection so that the test sources compile with {@code --release 17}. On a JDK without virtual
 * threads the calling test reports itself skipped (an assumption), never failed.
 */
final class VirtualThreads {
    private VirtualThreads() {}

    /** Returns a new virtual-thread-per-task executor, or skips the calling test before JDK 21. */
    static ExecutorService executor() {
        Method factory;
        try {
            factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        } catch (NoSuchMethodException e) {
            factory = null;
        }
        assumeTrue(
                factory != null,
                "virtual threads need JDK 21+; this JVM is " + System.getProperty("java.version"));
        try {
            return (ExecutorService) factory.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
