package dev.tributary.sync;

import dev.tributary.sync.internal.StackSafeFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The shared body of {@code withPermit}, {@code withLock}, {@code withRead} and {@code withWrite}:
 * run an async action while holding a guard, close the guard when the action's stage completes, and
 * let a cancellation of the result that happens before the grant withdraw the acquisition.
 *
 * <p>The result always completes, even if closing the guard fails (an action that closed its guard
 * itself makes the second close throw): as with try-with-resources, the action's own failure stays
 * the cause and the close failure is added to it as suppressed; otherwise the close failure is the
 * cause.
 */
final class Guarded {
    private Guarded() {}

    static <G extends AutoCloseable, R> CompletableFuture<R> run(
            CompletableFuture<G> acquisition,
            Function<? super G, ? extends CompletionStage<R>> action) {
        CompletableFuture<R> result = new StackSafeFuture<>();
        // Completing the result from outside before the grant withdraws the acquisition (cancel
        // contract).
        result.whenComplete((r, e) -> acquisition.cancel(false));
        acquisition.whenComplete(
                (guard, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                        return;
                    }
                    if (result.isDone()) {
                        closeCatching(guard); // cancelled between grant and here: cannot fail
                        return;
                    }
                    CompletionStage<R> stage;
                    try {
                        stage = action.apply(guard);
                        if (stage == null) {
                            throw new NullPointerException("the action returned a null stage");
                        }
                    } catch (Throwable t) {
                        Throwable closeFailure = closeCatching(guard);
                        if (closeFailure != null) {
                            t.addSuppressed(closeFailure);
                        }
                        result.completeExceptionally(t);
                        return;
                    }
                    stage.whenComplete(
                            (value, error) -> {
                                Throwable closeFailure = closeCatching(guard);
                                if (error != null) {
                                    if (closeFailure != null) {
                                        error.addSuppressed(closeFailure);
                                    }
                                    result.completeExceptionally(error);
                                } else if (closeFailure != null) {
                                    result.completeExceptionally(closeFailure);
                                } else {
                                    result.complete(value);
                                }
                            });
                });
        return result;
    }

    /** Closes the guard; returns what its close threw, or null. Never throws. */
    private static Throwable closeCatching(AutoCloseable guard) {
        try {
            guard.close();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
