package dev.tributary.sync;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stages derived from a returned future with the standard {@code CompletionStage} methods keep the
 * stack bounded too: a loop that recurses from inside each method family's action — {@code
 * thenApply}, {@code thenAccept}, {@code thenRun}, {@code thenCompose}, {@code handle}, {@code
 * whenComplete}, the {@code Both} and {@code Either} forms (with an already-completed other stage
 * where the method allows), their {@code Async} forms on a direct executor ({@code Runnable::run}),
 * an action attached to a stage derived from a derived stage, and, on failing futures, {@code
 * exceptionally}, {@code exceptionallyCompose} and their {@code Async} forms — runs a million
 * iterations on a thread with a 256 KiB stack.
 *
 * <p>The succeeding futures come from {@link Oneshot} receives, a new channel per iteration:
 * already complete (the value was sent before {@code recv()}), or pending and completed by the same
 * thread after the derived stage is attached. The failing ones, for every failure family, come from
 * {@link OnceCell#getOrInit} whose initializer fails (already, or after the derived stage is
 * attached) with a shared stackless exception; {@code exceptionally} is also run on the failures
 * the library makes itself — a Oneshot receive of a channel closed with a cause, and {@code
 * acquire()} on a closed {@link Semaphore}, both already failed — which cost a new exception with a
 * stack trace per iteration. What the loops throw, or their stages fail with unexpectedly, is
 * recorded and reported with the iteration reached (see {@link DeepLoop}). Not a port of a tokio
 * test: tokio's tasks are polled by the runtime, so the problem does not arise there.
 */
@Timeout(60)
class DerivedStageStackSafetyTest {

    private static final Executor DIRECT = Runnable::run;

    /** The cause channels are closed with; the failures it produces are expected. */
    private static final Exception CAUSE = new Exception("closed on purpose");

    /**
     * The failure of the initializers below. A {@code CompletionException}, so that stages derived
     * from a failed stage pass it on as it is instead of wrapping it in a new exception, and
     * stackless: a million iterations that each fill in a stack trace would take seconds.
     */
    private static final CompletionException EXPECTED = new Expected();

    private static final class Expected extends CompletionException {
        private static final long serialVersionUID = 1L;

        Expected() {
            super("failed on purpose", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** One iteration's future, what completes it (waiting forms), and the Either forms' other. */
    private record Shot(
            CompletableFuture<Object> future, Runnable complete, CompletableFuture<Object> other) {}

    /** A way to derive a stage from {@code f} whose action runs {@code next}. */
    @FunctionalInterface
    private interface Derivation {
        CompletionStage<?> derive(
                CompletableFuture<Object> f, Runnable next, CompletableFuture<Object> other);
    }

    /** Makes a future for each iteration. */
    @FunctionalInterface
    private interface Source {
        Shot next();
    }

    private static final CompletableFuture<Object> DONE = CompletableFuture.completedFuture(0);

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Object> erase(CompletableFuture<?> f) {
        return (CompletableFuture<Object>) f;
    }

    // --- sources ---

    private static Shot oneshotReady() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(1);
        return new Shot(erase(ch.receiver().recv()), () -> {}, DONE);
    }

    private static Shot oneshotWaiting() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Object> f = erase(ch.receiver().recv());
        // A pending other stage, so that the Either forms wait for f.
        return new Shot(f, () -> ch.sender().send(1), new CompletableFuture<>());
    }

    private static Shot oneshotClosed() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().closeChannel(CAUSE);
        return new Shot(erase(ch.receiver().recv()), () -> {}, DONE);
    }

    private static Source closedSemaphore() {
        Semaphore s = new Semaphore(1);
        s.close();
        return () -> new Shot(erase(s.acquire()), () -> {}, DONE);
    }

    /** getOrInit whose initializer has already failed: the cell stays empty for the next try. */
    private static Source failedInit() {
        OnceCell<Object> cell = new OnceCell<>();
        CompletableFuture<Object> failed = CompletableFuture.failedFuture(EXPECTED);
        return () -> new Shot(cell.getOrInit(() -> failed), () -> {}, DONE);
    }

    /** getOrInit whose initializer fails after the derived stage is attached. */
    private static Source failingInit() {
        OnceCell<Object> cell = new OnceCell<>();
        return () -> {
            CompletableFuture<Object> init = new CompletableFuture<>();
            return new Shot(
                    cell.getOrInit(() -> init),
                    () -> init.completeExceptionally(EXPECTED),
                    new CompletableFuture<>());
        };
    }

    // --- derivations of succeeding futures ---

    private static Stream<Arguments> successDerivations() {
        return Stream.of(
                d("thenApply", (f, next, o) -> f.thenApply(v -> run(next, v))),
                d("thenAccept", (f, next, o) -> f.thenAccept(v -> next.run())),
                d("thenRun", (f, next, o) -> f.thenRun(next)),
                d(
                        "thenCompose (recursing in the function)",
                        (f, next, o) -> f.thenCompose(v -> run(next, DONE))),
                d(
                        "thenCompose, then thenRun on its stage",
                        (f, next, o) -> f.thenCompose(v -> DONE).thenRun(next)),
                d(
                        "thenApply, then thenAccept on its stage",
                        (f, next, o) -> f.thenApply(v -> v).thenAccept(v -> next.run())),
                d("handle", (f, next, o) -> f.handle((v, t) -> run(next, v))),
                d("whenComplete", (f, next, o) -> f.whenComplete((v, t) -> next.run())),
                d("thenCombine", (f, next, o) -> f.thenCombine(DONE, (a, b) -> run(next, a))),
                d("thenAcceptBoth", (f, next, o) -> f.thenAcceptBoth(DONE, (a, b) -> next.run())),
                d("runAfterBoth", (f, next, o) -> f.runAfterBoth(DONE, next)),
                d("applyToEither", (f, next, o) -> f.applyToEither(o, v -> run(next, v))),
                d("acceptEither", (f, next, o) -> f.acceptEither(o, v -> next.run())),
                d("runAfterEither", (f, next, o) -> f.runAfterEither(o, next)),
                d("thenApplyAsync", (f, next, o) -> f.thenApplyAsync(v -> run(next, v), DIRECT)),
                d("thenAcceptAsync", (f, next, o) -> f.thenAcceptAsync(v -> next.run(), DIRECT)),
                d("thenRunAsync", (f, next, o) -> f.thenRunAsync(next, DIRECT)),
                d(
                        "thenComposeAsync",
                        (f, next, o) -> f.thenComposeAsync(v -> run(next, DONE), DIRECT)),
                d("handleAsync", (f, next, o) -> f.handleAsync((v, t) -> run(next, v), DIRECT)),
                d(
                        "whenCompleteAsync",
                        (f, next, o) -> f.whenCompleteAsync((v, t) -> next.run(), DIRECT)),
                d(
                        "thenCombineAsync",
                        (f, next, o) -> f.thenCombineAsync(DONE, (a, b) -> run(next, a), DIRECT)),
                d(
                        "thenAcceptBothAsync",
                        (f, next, o) -> f.thenAcceptBothAsync(DONE, (a, b) -> next.run(), DIRECT)),
                d("runAfterBothAsync", (f, next, o) -> f.runAfterBothAsync(DONE, next, DIRECT)),
                d(
                        "applyToEitherAsync",
                        (f, next, o) -> f.applyToEitherAsync(o, v -> run(next, v), DIRECT)),
                d(
                        "acceptEitherAsync",
                        (f, next, o) -> f.acceptEitherAsync(o, v -> next.run(), DIRECT)),
                d("runAfterEitherAsync", (f, next, o) -> f.runAfterEitherAsync(o, next, DIRECT)));
    }

    private static final Derivation EXCEPTIONALLY =
            (f, next, o) -> f.exceptionally(t -> run(next, null));

    private static Stream<Arguments> failureDerivations() {
        return Stream.of(
                d("exceptionally", EXCEPTIONALLY),
                d(
                        "exceptionallyAsync",
                        (f, next, o) -> f.exceptionallyAsync(t -> run(next, null), DIRECT)),
                d(
                        "exceptionallyCompose",
                        (f, next, o) -> f.exceptionallyCompose(t -> run(next, DONE))),
                d(
                        "exceptionallyComposeAsync",
                        (f, next, o) -> f.exceptionallyComposeAsync(t -> run(next, DONE), DIRECT)),
                d("handle of a failure", (f, next, o) -> f.handle((v, t) -> run(next, v))),
                d(
                        "whenComplete of a failure",
                        (f, next, o) -> f.whenComplete((v, t) -> next.run())),
                d(
                        "thenApply, then exceptionally on its stage",
                        (f, next, o) -> f.thenApply(v -> v).exceptionally(t -> run(next, null))));
    }

    private static Arguments d(String name, Derivation derivation) {
        return Arguments.of(name, derivation);
    }

    private static <V> V run(Runnable next, V result) {
        next.run();
        return result;
    }

    // --- the loop ---

    /**
     * Runs the loop; {@code expected} is the failure type of a failing source (a whenComplete stage
     * fails with it too, by design), or null.
     */
    private static void loop(
            String name, Source source, Derivation derivation, Class<? extends Throwable> expected)
            throws InterruptedException {
        DeepLoop.run(
                name,
                l -> {
                    if (expected != null) {
                        l.ignoring(expected);
                    }
                    l.loop(
                            again -> {
                                Shot s = source.next();
                                l.watch(
                                        derivation.derive(
                                                s.future(),
                                                () -> {
                                                    if (l.step()) {
                                                        again.run();
                                                    }
                                                },
                                                s.other()));
                                s.complete().run();
                            });
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("successDerivations")
    void onAnAlreadyCompleteReceive(String name, Derivation derivation) throws Exception {
        loop(
                name + " on an already-complete Oneshot recv",
                DerivedStageStackSafetyTest::oneshotReady,
                derivation,
                null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("successDerivations")
    void onAPendingReceive(String name, Derivation derivation) throws Exception {
        loop(
                name + " on a pending Oneshot recv, then sent",
                DerivedStageStackSafetyTest::oneshotWaiting,
                derivation,
                null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failureDerivations")
    void onAnAlreadyFailedGetOrInit(String name, Derivation derivation) throws Exception {
        loop(
                name + " on an already-failed OnceCell.getOrInit",
                failedInit(),
                derivation,
                Expected.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failureDerivations")
    void onAPendingGetOrInitThatFails(String name, Derivation derivation) throws Exception {
        loop(
                name + " on a pending OnceCell.getOrInit, then its initializer failed",
                failingInit(),
                derivation,
                Expected.class);
    }

    // The failures the library makes itself (a new ClosedException per call, with a stack trace,
    // which costs a few seconds per million): exceptionally only.

    @Test
    void exceptionallyOnARecvOfAChannelClosedWithACause() throws Exception {
        loop(
                "exceptionally on a Oneshot recv of a channel closed with a cause",
                DerivedStageStackSafetyTest::oneshotClosed,
                EXCEPTIONALLY,
                ClosedException.class);
    }

    @Test
    void exceptionallyOnAFailedAcquire() throws Exception {
        loop(
                "exceptionally on acquire of a closed Semaphore",
                closedSemaphore(),
                EXCEPTIONALLY,
                ClosedException.class);
    }
}
