package dev.tributary.examples;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The examples' {@code tokio::spawn}: each task runs on its own platform thread (JDK 17 has no
 * virtual threads) and its result, or what it threw, completes the task's future. Closing waits for
 * every task to end.
 */
final class Tasks implements AutoCloseable {
    /** The longest an example waits for anything; a correct example never comes near it. */
    static final long PATIENCE_SECONDS = 20;

    private final ExecutorService pool;

    /** A task that may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    Tasks(String name) {
        pool = Executors.newCachedThreadPool(daemonThreads(name));
    }

    /**
     * Daemon threads named {@code name-1}, {@code name-2}, ...: a stuck example cannot hold the
     * JVM.
     */
    static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts {@code task} on a new thread; the future completes with its result. */
    <T> CompletableFuture<T> spawn(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(
                () -> {
                    try {
                        f.complete(task.call());
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
        return f;
    }

    /** Starts {@code task} on a new thread; the future completes when it returns. */
    CompletableFuture<Void> run(Body task) {
        return spawn(
                () -> {
                    task.run();
                    return null;
                });
    }

    /** Waits for {@code f}, failing with its cause, or after {@link #PATIENCE_SECONDS}. */
    static <T> T await(Future<T> f) throws Exception {
        try {
            return f.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "a task did not finish in " + PATIENCE_SECONDS + " s", e);
        }
    }

    /** Waits for every task to end; interrupts them if they have not after the patience. */
    @Override
    public void close() {
        pool.shutdown();
        boolean ended;
        try {
            ended = pool.awaitTermination(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = false;
        }
        if (!ended) {
            pool.shutdownNow();
            throw new IllegalStateException("tasks still running after " + PATIENCE_SECONDS + " s");
        }
    }
}
