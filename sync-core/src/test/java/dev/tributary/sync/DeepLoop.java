package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a loop written as recursion through continuations ({@code f().thenAccept(v -> loop())}) on a
 * fresh thread with a 256 KiB stack, and checks that it ran {@link #ITERATIONS} times, threw
 * nothing, and kept the stack below {@link #MAX_FRAMES} frames.
 *
 * <p>A {@link StackOverflowError} in such a loop is easy to miss: {@code CompletableFuture}
 * captures whatever an action throws into the dependent stage, the recursion silently stops, and
 * the thread returns normally. So every body runs inside a catch-all ({@link #loop}), every
 * dependent stage gets a recorder ({@link #watch}), and {@link #run} asserts the iteration count,
 * reporting how far the loop got and the first throwable recorded. The count is a plain field: the
 * whole loop runs on the one thread, and {@link #run} reads it after that thread's task has
 * returned (a completed future publishes it) or, after a timeout, only for the message.
 *
 * <p>The loop shapes the stack-safety tests share are methods here: {@link #repeat} and {@link
 * #repeatThenRun} (continue from each iteration's future, whatever its state), {@link
 * #repeatWaiting} and {@link #repeatWaitingThenRun} (the future must be pending; the same thread
 * completes it after attaching the continuation), {@link #repeatHolding} (each grant is held into
 * the next iteration and released there to grant the next wait). A table of such loops is a stream
 * of {@link Case}s.
 */
final class DeepLoop {

    /** How many continuations each loop must run. */
    static final int ITERATIONS = 1_000_000;

    /** The stack of the thread the loop runs on. */
    static final long STACK_BYTES = 256 * 1024;

    /** Sample the stack depth every this many iterations. */
    static final int SAMPLE_EVERY = 50_000;

    /**
     * Far more than a bounded nesting of completions needs, and more than an unbounded recursion
     * can reach on a 256 KiB stack before it overflows.
     */
    static final int MAX_FRAMES = 2_000;

    /** How long a loop (on a busy 2-core machine) may take before the test reports a hang. */
    static final long WAIT_SECONDS = 20;

    private final String name;
    private int count;
    private int maxFrames;
    private Throwable failure;
    private Class<? extends Throwable> expected;

    private final BiConsumer<Object, Throwable> recorder =
            (v, t) -> {
                if (t != null) {
                    record(t);
                }
            };

    private DeepLoop(String name) {
        this.name = name;
    }

    /**
     * Runs {@code start} on a new thread with a {@link #STACK_BYTES} stack, waits for it, and
     * asserts that the loop it starts ran {@link #ITERATIONS} iterations without recording a
     * throwable and within {@link #MAX_FRAMES} frames.
     *
     * @param name what the loop exercises, for the thread and the failure message
     * @param start starts the loop; it must finish the whole loop before returning, on this thread
     */
    static void run(String name, Consumer<DeepLoop> start) throws InterruptedException {
        DeepLoop l = new DeepLoop(name);
        CompletableFuture<Integer> finished = new CompletableFuture<>();
        Thread t =
                new Thread(
                        null,
                        () -> {
                            try {
                                start.accept(l);
                            } catch (Throwable e) {
                                l.record(e);
                            } finally {
                                finished.complete(l.count);
                            }
                        },
                        name,
                        STACK_BYTES);
        t.setDaemon(true); // a hung loop must not keep the test JVM alive
        t.start();
        try {
            finished.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail(
                    name
                            + ": the loop did not finish within "
                            + WAIT_SECONDS
                            + " s (hang or deadlock) after about "
                            + String.format("%,d", l.count)
                            + " iterations"
                            + (l.failure != null ? "; thrown: " + l.failure : ""),
                    l.failure);
        } catch (ExecutionException e) {
            throw new AssertionError(e); // never: finished only completes normally
        }
        t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        l.check();
    }

    private void check() {
        if (failure != null || count != ITERATIONS) {
            fail(
                    String.format(
                            "%s: reached %,d of %,d iterations on a %d KiB stack; thrown: %s",
                            name,
                            count,
                            ITERATIONS,
                            STACK_BYTES / 1024,
                            failure == null
                                    ? "nothing recorded (the loop stopped where no recorder"
                                            + " saw it: e.g. a StackOverflowError thrown again in"
                                            + " a recorder, or inside the library's own stages)"
                                    : describe(failure)),
                    failure);
        }
        if (maxFrames >= MAX_FRAMES) {
            fail(
                    String.format(
                            "%s: the stack grew to %,d frames (bound %,d)",
                            name, maxFrames, MAX_FRAMES));
        }
    }

    private static String describe(Throwable t) {
        Throwable root = unwrap(t);
        return root == t ? t.toString() : t.getClass().getSimpleName() + " of " + root;
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Counts one iteration (call it first in every continuation of the loop) and samples the stack
     * depth every {@link #SAMPLE_EVERY} iterations.
     *
     * @return true while the loop should go on
     */
    boolean step() {
        int n = ++count;
        if (n % SAMPLE_EVERY == 0) {
            int frames = StackWalker.getInstance().walk(s -> (int) s.count());
            if (frames > maxFrames) {
                maxFrames = frames;
            }
        }
        return n < ITERATIONS;
    }

    /** The number of iterations so far. */
    int count() {
        return count;
    }

    /** Records {@code t} unless one was recorded already or it is of the expected type. */
    void record(Throwable t) {
        if (failure == null && !(expected != null && expected.isInstance(unwrap(t)))) {
            failure = t;
        }
    }

    /**
     * Makes the recorders ignore failures of {@code type}: for loops over futures that fail on
     * purpose, whose dependent stages ({@code whenComplete}) fail with the same exception.
     */
    void ignoring(Class<? extends Throwable> type) {
        this.expected = type;
    }

    /** Records a failure of {@code stage} (such as a captured {@link StackOverflowError}). */
    void watch(CompletionStage<?> stage) {
        stage.whenComplete(recorder);
    }

    /**
     * Records an {@link AssertionError} unless {@code f} is still pending (the waiting form needs
     * the continuation attached before the future completes).
     *
     * @return whether {@code f} is pending
     */
    boolean expectPending(CompletableFuture<?> f, String what) {
        if (f.isDone()) {
            record(new AssertionError(what + " must be pending here but was done: " + f));
            return false;
        }
        return true;
    }

    /** Records an {@link AssertionError} if {@code ok} is false. */
    boolean expect(boolean ok, String what) {
        if (!ok) {
            record(new AssertionError(what));
        }
        return ok;
    }

    /**
     * Runs {@code body} once; {@code body} continues the loop by running the {@link Runnable} it is
     * given (from inside a continuation). Every run of the body is guarded by a catch-all that
     * records what it throws.
     */
    void loop(Consumer<Runnable> body) {
        new Runnable() {
            @Override
            public void run() {
                try {
                    body.accept(this);
                } catch (Throwable t) {
                    record(t);
                }
            }
        }.run();
    }

    /**
     * As {@link #loop(Consumer)}, for a body that passes a value (a held guard) to its next run.
     */
    <T> void loop(T first, BiConsumer<T, Consumer<T>> body) {
        new Consumer<T>() {
            @Override
            public void accept(T value) {
                try {
                    body.accept(value, this);
                } catch (Throwable t) {
                    record(t);
                }
            }
        }.accept(first);
    }

    /** A loop named for the report and the failure message; see {@link #run}. */
    record Case(String name, Consumer<DeepLoop> start) {
        /** Runs the loop: {@link DeepLoop#run}{@code (name, start)}. */
        void run() throws InterruptedException {
            DeepLoop.run(name, start);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One iteration of a waiting loop: its pending future, and what completes that future. */
    record Pending<T>(CompletableFuture<T> future, Runnable complete) {}

    /** A {@link Pending} of {@code future}, completed by {@code complete}. */
    static <T> Pending<T> pending(CompletableFuture<T> future, Runnable complete) {
        return new Pending<>(future, complete);
    }

    /**
     * Each iteration calls {@code call}; from its future's {@code thenAccept}, runs {@code then}
     * (which may throw: the stage fails, the recorder records it, the loop stops) and, unless the
     * loop is done, the next iteration.
     */
    <T> void repeat(Supplier<CompletableFuture<T>> call, Consumer<? super T> then) {
        loop(again -> watch(call.get().thenAccept(v -> next(() -> then.accept(v), again))));
    }

    /** As {@link #repeat}, continuing from {@code thenRun} of a future without a value. */
    void repeatThenRun(Supplier<CompletableFuture<Void>> call, Runnable then) {
        loop(again -> watch(call.get().thenRun(() -> next(then, again))));
    }

    /**
     * As {@link #repeat}, for a future that must be pending (described by {@code what}, recorded as
     * a failure otherwise): each iteration attaches the continuation, then runs the iteration's
     * {@link Pending#complete}.
     */
    <T> void repeatWaiting(String what, Supplier<Pending<T>> call, Consumer<? super T> then) {
        loop(
                again -> {
                    Pending<T> p = call.get();
                    if (expectPending(p.future(), what)) {
                        watch(p.future().thenAccept(v -> next(() -> then.accept(v), again)));
                        p.complete().run();
                    }
                });
    }

    /** As {@link #repeatWaiting}, continuing from {@code thenRun} of a future without a value. */
    void repeatWaitingThenRun(String what, Supplier<Pending<Void>> call) {
        loop(
                again -> {
                    Pending<Void> p = call.get();
                    if (expectPending(p.future(), what)) {
                        watch(p.future().thenRun(() -> next(() -> {}, again)));
                        p.complete().run();
                    }
                });
    }

    /**
     * A waiting loop over a guard: each iteration calls {@code call} (which must return a pending
     * future, described by {@code what}) while holding the previous grant ({@code first} at the
     * start), attaches the continuation, and releases the held grant, which grants the call; the
     * continuation holds the new grant into the next iteration, or releases it when the loop is
     * done.
     */
    <G extends AutoCloseable> void repeatHolding(
            String what, G first, Supplier<CompletableFuture<G>> call) {
        this.<G>loop(
                first,
                (held, again) -> {
                    CompletableFuture<G> f = call.get();
                    if (expectPending(f, what)) {
                        watch(
                                f.thenAccept(
                                        g -> {
                                            if (step()) {
                                                again.accept(g);
                                            } else {
                                                close(g);
                                            }
                                        }));
                        close(held);
                    }
                });
    }

    /** The end of an iteration: {@code then}, and the next iteration unless the loop is done. */
    private void next(Runnable then, Runnable again) {
        then.run();
        if (step()) {
            again.run();
        }
    }

    private void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            record(e);
        }
    }
}
