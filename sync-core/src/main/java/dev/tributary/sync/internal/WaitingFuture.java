package dev.tributary.sync.internal;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The base of every future that stands for a pending operation (a receive, an acquisition, a wait):
 * it owns every entry point through which code outside the library can complete the future, so that
 * each of them withdraws the operation, exactly once, before its completion becomes visible.
 *
 * <p>The entry points, all final here: {@link #complete(Object)}, {@link
 * #completeExceptionally(Throwable)}, {@link #cancel(boolean)}, {@link #completeAsync(Supplier,
 * Executor)} and {@link #completeAsync(Supplier)} (whose JDK versions complete the future without
 * calling {@code complete}), {@link #orTimeout(long, TimeUnit)} and {@link
 * #completeOnTimeout(Object, long, TimeUnit)} (which end in {@code completeExceptionally} and
 * {@code complete}), and {@link #obtrudeValue(Object)} / {@link #obtrudeException(Throwable)},
 * which are refused: forcing an outcome onto a wait could report an operation that did not happen
 * or hand out a permit twice. The library completes the future with {@link
 * #completeInternally(Object)} and {@link #failInternally(Throwable)}, which bypass the entry
 * points.
 *
 * <p>Each entry point first calls {@link #beforeExternalCompletion()}, which the owner implements
 * with one of two policies:
 *
 * <ul>
 *   <li><b>withdraw, then race</b> ({@link Waiter}'s futures, Watch's {@code waitFor}): withdraw
 *       the operation if it is still pending and let the outside completion proceed; if the
 *       operation was already granted, the outside completion may still win against the internal
 *       one (for {@link Waiter}, by a CAS made before either completion is visible), and the owner
 *       then takes the grant back (a permit is released again, a notification passed on).
 *   <li><b>decided by a claim</b> ({@link ClaimFuture}): one CAS decides between the operation and
 *       the withdrawal before anything takes effect; an outside completion that finds the operation
 *       claimed loses ({@code cancel} returns false) and the future completes shortly with the
 *       operation's result.
 * </ul>
 *
 * <p>Dependents run in bounded stack depth, as for every {@link StackSafeFuture}.
 *
 * @param <T> the result type
 */
public abstract class WaitingFuture<T> extends StackSafeFuture<T> {

    /** Creates a pending future. */
    protected WaitingFuture() {}

    /**
     * Called by every outside completion before it lands: withdraws the operation if it is still
     * pending (at most once over the future's life) and says whether the outside completion may
     * proceed.
     *
     * @return false if the operation has already taken effect and the outside completion must lose
     */
    protected abstract boolean beforeExternalCompletion();

    /** Completes this future from outside, withdrawing the operation first. */
    @Override
    public final boolean complete(T value) {
        return beforeExternalCompletion() && super.complete(value);
    }

    /** Fails this future from outside, withdrawing the operation first. */
    @Override
    public final boolean completeExceptionally(Throwable ex) {
        Objects.requireNonNull(ex, "ex");
        return beforeExternalCompletion() && super.completeExceptionally(ex);
    }

    /** Cancels this future, withdrawing the operation first. */
    @Override
    public final boolean cancel(boolean mayInterruptIfRunning) {
        return beforeExternalCompletion() && super.cancel(mayInterruptIfRunning);
    }

    /**
     * Completes this future from outside with the supplier's value, or its failure, on {@code
     * executor}: through {@link #complete(Object)} and {@link #completeExceptionally(Throwable)},
     * so the operation is withdrawn first.
     */
    @Override
    public final CompletableFuture<T> completeAsync(
            Supplier<? extends T> supplier, Executor executor) {
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(executor, "executor");
        executor.execute(
                () -> {
                    T v;
                    try {
                        v = supplier.get();
                    } catch (Throwable t) {
                        completeExceptionally(t);
                        return;
                    }
                    complete(v);
                });
        return this;
    }

    /** As {@link #completeAsync(Supplier, Executor)}, on the default executor. */
    @Override
    public final CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        return completeAsync(supplier, defaultExecutor());
    }

    /**
     * Fails this future with a {@code TimeoutException} if it is not complete in time: through
     * {@link #completeExceptionally(Throwable)}, so the operation is withdrawn first.
     */
    @Override
    public final CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        return super.orTimeout(timeout, unit); // the JDK's timer calls completeExceptionally
    }

    /**
     * Completes this future with {@code value} if it is not complete in time: through {@link
     * #complete(Object)}, so the operation is withdrawn first.
     */
    @Override
    public final CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        return super.completeOnTimeout(value, timeout, unit); // the JDK's timer calls complete
    }

    /**
     * Unsupported: forcing a value onto a wait could report an operation that did not happen.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public final void obtrudeValue(T value) {
        throw new UnsupportedOperationException(
                "obtrudeValue is not supported on a Tributary wait: complete or cancel it instead");
    }

    /**
     * Unsupported: see {@link #obtrudeValue(Object)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public final void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException(
                "obtrudeException is not supported on a Tributary wait: complete or cancel it instead");
    }
}
