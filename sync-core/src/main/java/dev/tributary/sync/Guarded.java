package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The shared body of {@code withPermit}, {@code withLock}, {@code withRead} and {@code withWrite}:
 * run an async action while holding a guard, close the guard when the action's stage completes, and
 * let a cancellation of the result that happens before the grant withdraw the acquisition.
 */
final class Guarded {
    private Guarded() {}

    static <G extends AutoCloseable, R> CompletableFuture<R> run(
            CompletableFuture<G> acquisition,
            Function<? super G, ? extends CompletionStage<R>> action) {
        CompletableFuture<R> result = new CompletableFuture<>();
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
                        closeQuietly(guard); // cancelled between grant and here
                        return;
                    }
                    CompletionStage<R> stage;
                    try {
                        stage = action.apply(guard);
                        if (stage == null) {
                            throw new NullPointerException("the action returned a null stage");
                        }
                    } catch (Throwable t) {
                        closeQuietly(guard);
                        result.completeExceptionally(t);
                        return;
                    }
                    stage.whenComplete(
                            (value, error) -> {
                                closeQuietly(guard);
                                if (error != null) {
                                    result.completeExceptionally(error);
                                } else {
                                    result.complete(value);
                                }
                            });
                });
        return result;
    }

    private static void closeQuietly(AutoCloseable guard) {
        try {
            guard.close();
        } catch (Exception e) {
            throw new IllegalStateException("releasing the guard failed", e);
        }
    }
}
