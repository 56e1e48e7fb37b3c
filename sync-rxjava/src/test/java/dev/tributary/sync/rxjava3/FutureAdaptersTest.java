package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ClosedException;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.observers.TestObserver;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The shared future-to-Rx bridge: laziness, disposal, lost cancels, late errors, threads. */
class FutureAdaptersTest {

    /** A future whose cancel always loses: the outcome lands first, as in a lost race. */
    static final class LosingFuture<T> extends CompletableFuture<T> {
        private final Runnable outcome;

        LosingFuture(Runnable outcome) {
            this.outcome = outcome;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            outcome.run();
            return false;
        }
    }

    @Test
    void callRunsOnSubscriptionOnlyAndOncePerSubscription() {
        AtomicInteger calls = new AtomicInteger();
        Single<String> s =
                FutureAdapters.single(
                        () -> {
                            calls.incrementAndGet();
                            return CompletableFuture.completedFuture("v");
                        },
                        FutureAdapters.noRelease());
        assertEquals(0, calls.get());
        s.test().assertValue("v");
        s.test().assertValue("v");
        assertEquals(2, calls.get());
    }

    @Test
    void disposedInOnSubscribeNeverCalls() {
        AtomicInteger calls = new AtomicInteger();
        Single<String> s =
                FutureAdapters.single(
                        () -> {
                            calls.incrementAndGet();
                            return new CompletableFuture<>();
                        },
                        FutureAdapters.noRelease());
        TestObserver<String> to = new TestObserver<>();
        to.dispose();
        s.subscribe(to);
        assertEquals(0, calls.get());
        to.assertEmpty();
    }

    @Test
    void disposeCancelsThePendingFuture() {
        CompletableFuture<String> f = new CompletableFuture<>();
        TestObserver<String> to = FutureAdapters.single(() -> f, FutureAdapters.noRelease()).test();
        to.dispose();
        assertTrue(f.isCancelled());
        to.assertEmpty();
    }

    @Test
    void aValueGrantedInTheRaceIsReleased() {
        List<String> released = new CopyOnWriteArrayList<>();
        AtomicReference<LosingFuture<String>> holder = new AtomicReference<>();
        holder.set(new LosingFuture<>(() -> holder.get().complete("granted")));
        TestObserver<String> to = FutureAdapters.single(holder::get, released::add).test();
        to.dispose();
        assertEquals(List.of("granted"), released);
        to.assertEmpty();
    }

    @Test
    void anErrorAfterDisposalGoesToRxJavaPlugins() {
        try (PluginErrors plugin = new PluginErrors()) {
            IOException boom = new IOException("late");
            AtomicReference<LosingFuture<String>> holder = new AtomicReference<>();
            holder.set(new LosingFuture<>(() -> holder.get().completeExceptionally(boom)));
            TestObserver<String> to =
                    FutureAdapters.single(holder::get, FutureAdapters.noRelease()).test();
            to.dispose();
            to.assertEmpty();
            assertEquals(List.of(boom), plugin.causes());
        }
    }

    @Test
    void ourOwnCancellationIsNotReported() {
        try (PluginErrors plugin = new PluginErrors()) {
            CompletableFuture<String> f = new CompletableFuture<>();
            FutureAdapters.single(() -> f, FutureAdapters.noRelease()).test().dispose();
            assertTrue(plugin.errors.isEmpty());
        }
    }

    @Test
    void aThrowingReleaseGoesToRxJavaPlugins() {
        try (PluginErrors plugin = new PluginErrors()) {
            IllegalStateException boom = new IllegalStateException("release");
            AtomicReference<LosingFuture<String>> holder = new AtomicReference<>();
            holder.set(new LosingFuture<>(() -> holder.get().complete("v")));
            FutureAdapters.<String>single(
                            holder::get,
                            v -> {
                                throw boom;
                            })
                    .test()
                    .dispose();
            assertEquals(List.of(boom), plugin.causes());
        }
    }

    @Test
    void aThrowingCallIsAnErrorSignal() {
        ClosedException closed = new ClosedException("closed");
        FutureAdapters.single(
                        () -> {
                            throw closed;
                        },
                        FutureAdapters.noRelease())
                .test()
                .assertError(closed);
    }

    @Test
    void aNullFutureOrNullValueIsAnError() {
        FutureAdapters.single(() -> null, FutureAdapters.noRelease())
                .test()
                .assertError(NullPointerException.class);
        FutureAdapters.single(
                        () -> CompletableFuture.completedFuture(null), FutureAdapters.noRelease())
                .test()
                .assertError(NullPointerException.class);
    }

    @Test
    void failuresAreUnwrappedFromCompletionException() {
        IOException boom = new IOException("x");
        CompletableFuture<String> f = new CompletableFuture<>();
        TestObserver<String> to =
                FutureAdapters.single(() -> f.thenApply(s -> s), FutureAdapters.noRelease()).test();
        f.completeExceptionally(boom);
        to.assertError(boom);
    }

    @Test
    void maybeMapsNullAndCauselessClosedToEmpty() {
        FutureAdapters.maybe(
                        () -> CompletableFuture.completedFuture(null),
                        FutureAdapters.noRelease(),
                        false)
                .test()
                .assertComplete()
                .assertNoValues();
        FutureAdapters.maybe(
                        () -> CompletableFuture.failedFuture(new ClosedException("closed")),
                        FutureAdapters.noRelease(),
                        true)
                .test()
                .assertComplete()
                .assertNoValues();
        ClosedException withCause = new ClosedException("closed", new IOException("cause"));
        FutureAdapters.maybe(
                        () -> CompletableFuture.failedFuture(withCause),
                        FutureAdapters.noRelease(),
                        true)
                .test()
                .assertError(withCause);
        FutureAdapters.maybe(
                        () -> CompletableFuture.completedFuture("v"),
                        FutureAdapters.noRelease(),
                        true)
                .test()
                .assertValue("v");
    }

    @Test
    void completableIgnoresTheValue() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        var to = FutureAdapters.completable(() -> f).test();
        to.assertNotComplete();
        f.complete(7);
        to.assertComplete();
    }

    @Test
    void signalsRunOnTheCompletingThread() throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        CompletableFuture<String> thread = new CompletableFuture<>();
        FutureAdapters.single(() -> f, FutureAdapters.noRelease())
                .subscribe(v -> thread.complete(Thread.currentThread().getName()));
        Thread t = new Thread(() -> f.complete("v"), "completer");
        t.start();
        t.join();
        assertEquals("completer", thread.join());
    }

    @Test
    void disposeAfterDeliveryIsHarmless() {
        CompletableFuture<String> f = CompletableFuture.completedFuture("v");
        List<String> released = new CopyOnWriteArrayList<>();
        TestObserver<String> to = FutureAdapters.single(() -> f, released::add).test();
        to.dispose();
        to.assertValue("v");
        assertTrue(released.isEmpty());
        assertFalse(f.isCancelled());
    }

    @Test
    void disposeRacingCompletionEitherDeliversOrReleases() {
        for (int i = 0; i < 5_000; i++) {
            CompletableFuture<String> f = new CompletableFuture<>();
            List<String> released = new CopyOnWriteArrayList<>();
            TestObserver<String> to = FutureAdapters.single(() -> f, released::add).test();
            Race.race(to::dispose, () -> f.complete("v"));
            int delivered = to.values().size();
            // cancel won (nothing granted), or the value was delivered, or released: never two
            if (f.isCancelled()) {
                assertEquals(0, delivered + released.size());
            } else {
                assertEquals(1, delivered + released.size(), "iteration " + i);
            }
        }
    }

    @Test
    void exceptionTypesArePreserved() {
        assertInstanceOf(
                IOException.class,
                FutureAdapters.unwrap(
                        new java.util.concurrent.CompletionException(new IOException())));
    }
}
