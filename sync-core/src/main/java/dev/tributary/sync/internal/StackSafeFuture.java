package dev.tributary.sync.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code CompletableFuture} that every Tributary method returns, and every stage derived from
 * one: its dependents run in bounded stack depth, however they are chained.
 *
 * <p>A plain {@code CompletableFuture} runs a dependent inline in the caller's frame when it is
 * attached to a future that is already complete, and in the completer's frame otherwise. A loop
 * written as recursion over such futures ({@code recv().thenAccept(m -> loop())}) therefore nests
 * one frame group per iteration and dies of {@code StackOverflowError}. Here, every dependent is
 * run through the {@link Trampoline} of the thread that completes or attaches it: inline while the
 * nesting is shallow, and from the outermost frame once it is {@link Trampoline#MAX_DEPTH} deep.
 * Order and thread are those of {@code CompletableFuture}: an action runs on the thread that
 * completes the future or attaches the action, after the actions attached before it (on the same
 * thread) have run.
 *
 * <p>How: the non-{@code Async} methods ({@code thenApply}, {@code whenComplete}, …) attached to a
 * complete future enter a trampoline frame and call {@code CompletableFuture}'s own method, which
 * runs the action inline; when the future is not complete yet, or the nesting is already deep, they
 * call the {@code *Async} form with {@link Trampoline#EXECUTOR}, which runs the action through the
 * trampoline of whichever thread later completes the future. The {@code *Async} forms with a
 * caller's executor wrap it, so that a direct executor ({@code Runnable::run}) is trampolined too.
 * {@link #newIncompleteFuture()} returns a {@code StackSafeFuture}, so every derived stage has the
 * same property. {@link #join()} and {@code get()} first run this thread's queued trampoline tasks
 * (the future's own completion may be among them) instead of waiting for themselves.
 *
 * <p>Not covered: {@link #minimalCompletionStage()} returns the JDK's minimal stage, whose own
 * dependents are plain; {@code allOf}/{@code anyOf} return plain futures.
 *
 * @param <T> the result type
 */
public class StackSafeFuture<T> extends CompletableFuture<T> {

    /** Creates an incomplete future. */
    public StackSafeFuture() {}

    /**
     * Returns a future already completed with {@code value}.
     *
     * @param value the value
     * @param <T> the result type
     * @return the complete future
     */
    public static <T> StackSafeFuture<T> completed(T value) {
        StackSafeFuture<T> f = new StackSafeFuture<>();
        // Not yet shared, so forcing the result is the same as completing it, without the CAS
        // that completing pays: a plain volatile store, which (as for the JDK's
        // completedFuture) lets the JIT scalar-replace a future that does not escape the
        // caller's compiled code (Mutex.lock().join(): ~12 -> ~8 ns, MutexUncontended).
        f.obtrudeValue(value);
        return f;
    }

    /**
     * Returns a future already completed exceptionally with {@code failure}.
     *
     * @param failure the failure
     * @param <T> the result type
     * @return the failed future
     */
    public static <T> StackSafeFuture<T> failed(Throwable failure) {
        StackSafeFuture<T> f = new StackSafeFuture<>();
        f.obtrudeException(failure); // not yet shared: as in completed(v)
        return f;
    }

    /**
     * Completes this future on behalf of the library, bypassing any override of {@link
     * #complete(Object)}.
     *
     * @param value the value
     * @return true if this call completed the future
     */
    protected final boolean completeInternally(T value) {
        return super.complete(value);
    }

    /**
     * Fails this future on behalf of the library, bypassing any override of {@link
     * #completeExceptionally(Throwable)}.
     *
     * @param failure the failure
     * @return true if this call completed the future
     */
    protected final boolean failInternally(Throwable failure) {
        return super.completeExceptionally(failure);
    }

    /**
     * Cancels this future on behalf of the library, bypassing any override of {@link
     * #cancel(boolean)}.
     *
     * @return true if this call completed the future
     */
    protected final boolean cancelInternally() {
        return super.cancel(false);
    }

    /** Returns a new incomplete {@code StackSafeFuture}: derived stages are stack-safe too. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new StackSafeFuture<>();
    }

    // ---- waiting: run this thread's queued completions first ----

    /**
     * Waits for the result. Called from inside a continuation whose nesting made this future's
     * completion wait in this thread's trampoline queue, runs that queue first instead of waiting
     * for itself.
     */
    @Override
    public T join() {
        if (!isDone()) {
            Trampoline.help(this);
        }
        return super.join();
    }

    /** As {@link #join()}, with the checked exceptions of {@code Future.get}. */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            Trampoline.help(this);
        }
        return super.get();
    }

    /** As {@link #get()}, for at most the given time. */
    @Override
    public T get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone()) {
            Trampoline.help(this);
        }
        return super.get(timeout, unit);
    }

    // ---- helpers ----

    /** Whether a dependent of this (complete) future may run inline now; pairs with exit(). */
    private boolean inline() {
        return isDone() && Trampoline.enter();
    }

    private static boolean isDone(CompletionStage<?> other) {
        return other instanceof CompletableFuture && ((CompletableFuture<?>) other).isDone();
    }

    /**
     * Wraps a caller's executor so that the task it is handed runs through the trampoline of the
     * thread the executor runs it on. The default executor is not wrapped (its tasks start on fresh
     * pool threads).
     */
    private Executor trampolined(Executor executor) {
        Objects.requireNonNull(executor, "executor");
        if (executor == ForkJoinPool.commonPool() || executor == defaultExecutor()) {
            return executor;
        }
        return task -> executor.execute(() -> Trampoline.run(task));
    }

    // ---- single-stage dependents ----

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        if (inline()) {
            try {
                return super.thenApply(fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.thenApplyAsync(fn, Trampoline.EXECUTOR);
    }

    @Override
    public <U> CompletableFuture<U> thenApplyAsync(
            Function<? super T, ? extends U> fn, Executor executor) {
        return super.thenApplyAsync(fn, trampolined(executor));
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        if (inline()) {
            try {
                return super.thenAccept(action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.thenAcceptAsync(action, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super T> action, Executor executor) {
        return super.thenAcceptAsync(action, trampolined(executor));
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        if (inline()) {
            try {
                return super.thenRun(action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.thenRunAsync(action, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return super.thenRunAsync(action, trampolined(executor));
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(
            Function<? super T, ? extends CompletionStage<U>> fn) {
        if (inline()) {
            try {
                return super.thenCompose(fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.thenComposeAsync(fn, Trampoline.EXECUTOR);
    }

    @Override
    public <U> CompletableFuture<U> thenComposeAsync(
            Function<? super T, ? extends CompletionStage<U>> fn, Executor executor) {
        return super.thenComposeAsync(fn, trampolined(executor));
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        if (inline()) {
            try {
                return super.handle(fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.handleAsync(fn, Trampoline.EXECUTOR);
    }

    @Override
    public <U> CompletableFuture<U> handleAsync(
            BiFunction<? super T, Throwable, ? extends U> fn, Executor executor) {
        return super.handleAsync(fn, trampolined(executor));
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        if (inline()) {
            try {
                return super.whenComplete(action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.whenCompleteAsync(action, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<T> whenCompleteAsync(
            BiConsumer<? super T, ? super Throwable> action, Executor executor) {
        return super.whenCompleteAsync(action, trampolined(executor));
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        if (inline()) {
            try {
                return super.exceptionally(fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.exceptionallyAsync(fn, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<T> exceptionallyAsync(
            Function<Throwable, ? extends T> fn, Executor executor) {
        return super.exceptionallyAsync(fn, trampolined(executor));
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(
            Function<Throwable, ? extends CompletionStage<T>> fn) {
        if (inline()) {
            try {
                return super.exceptionallyCompose(fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.exceptionallyComposeAsync(fn, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<T> exceptionallyComposeAsync(
            Function<Throwable, ? extends CompletionStage<T>> fn, Executor executor) {
        return super.exceptionallyComposeAsync(fn, trampolined(executor));
    }

    // ---- two-stage dependents: inline only when the action can run now ----

    @Override
    public <U, V> CompletableFuture<V> thenCombine(
            CompletionStage<? extends U> other, BiFunction<? super T, ? super U, ? extends V> fn) {
        if (isDone(other) && inline()) {
            try {
                return super.thenCombine(other, fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.thenCombineAsync(other, fn, Trampoline.EXECUTOR);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombineAsync(
            CompletionStage<? extends U> other,
            BiFunction<? super T, ? super U, ? extends V> fn,
            Executor executor) {
        return super.thenCombineAsync(other, fn, trampolined(executor));
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(
            CompletionStage<? extends U> other, BiConsumer<? super T, ? super U> action) {
        if (isDone(other) && inline()) {
            try {
                return super.thenAcceptBoth(other, action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.thenAcceptBothAsync(other, action, Trampoline.EXECUTOR);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBothAsync(
            CompletionStage<? extends U> other,
            BiConsumer<? super T, ? super U> action,
            Executor executor) {
        return super.thenAcceptBothAsync(other, action, trampolined(executor));
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        if (isDone(other) && inline()) {
            try {
                return super.runAfterBoth(other, action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.runAfterBothAsync(other, action, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(
            CompletionStage<?> other, Runnable action, Executor executor) {
        return super.runAfterBothAsync(other, action, trampolined(executor));
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(
            CompletionStage<? extends T> other, Function<? super T, U> fn) {
        if (inline()) {
            try {
                return super.applyToEither(other, fn);
            } finally {
                Trampoline.exit();
            }
        }
        return super.applyToEitherAsync(other, fn, Trampoline.EXECUTOR);
    }

    @Override
    public <U> CompletableFuture<U> applyToEitherAsync(
            CompletionStage<? extends T> other, Function<? super T, U> fn, Executor executor) {
        return super.applyToEitherAsync(other, fn, trampolined(executor));
    }

    @Override
    public CompletableFuture<Void> acceptEither(
            CompletionStage<? extends T> other, Consumer<? super T> action) {
        if (inline()) {
            try {
                return super.acceptEither(other, action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.acceptEitherAsync(other, action, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(
            CompletionStage<? extends T> other, Consumer<? super T> action, Executor executor) {
        return super.acceptEitherAsync(other, action, trampolined(executor));
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        if (inline()) {
            try {
                return super.runAfterEither(other, action);
            } finally {
                Trampoline.exit();
            }
        }
        return super.runAfterEitherAsync(other, action, Trampoline.EXECUTOR);
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(
            CompletionStage<?> other, Runnable action, Executor executor) {
        return super.runAfterEitherAsync(other, action, trampolined(executor));
    }
}
