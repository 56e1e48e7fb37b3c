package dev.tributary.sync.internal;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Assumptions;

/**
 * The JDK's per-thread allocation counter ({@code com.sun.management.ThreadMXBean}), reached by
 * reflection because the test module does not read {@code jdk.management}. Allocation tests skip
 * themselves where it is unavailable.
 */
public final class ThreadAllocation {
    private final Object bean;
    private final Method counter;

    private ThreadAllocation(Object bean, Method counter) {
        this.bean = bean;
        this.counter = counter;
    }

    /**
     * The counter, or a skipped test when this JVM has none.
     *
     * @return the counter
     */
    public static ThreadAllocation orSkip() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Object bean = factory.getMethod("getThreadMXBean").invoke(null);
            Class<?> ext = Class.forName("com.sun.management.ThreadMXBean");
            Assumptions.assumeTrue(ext.isInstance(bean), "no per-thread allocation counter");
            return new ThreadAllocation(bean, ext.getMethod("getCurrentThreadAllocatedBytes"));
        } catch (ReflectiveOperationException | LinkageError e) {
            Assumptions.abort("no per-thread allocation counter: " + e);
            throw new AssertionError(e); // not reached: abort throws
        }
    }

    /**
     * Bytes the current thread allocated so far.
     *
     * @return the running total
     * @throws ReflectiveOperationException if the counter cannot be read
     */
    public long bytes() throws ReflectiveOperationException {
        return (long) counter.invoke(bean);
    }
}
