package dev.tributary.sync.internal;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs completions on the current thread with a bounded nesting depth.
 *
 * <p>Completing a {@code CompletableFuture} runs its dependent stages inline, and attaching a
 * dependent to a future that is already complete runs it inline too. When a dependent stage
 * releases a primitive or starts the next wait, that completes the next waiter or attaches to the
 * next completed future, whose dependents do the same, and so on: a chain that would otherwise
 * recurse once per hop and die of {@code StackOverflowError} after a few thousand hops. {@link
 * #run(Runnable)} runs a task inline while fewer than {@link #MAX_DEPTH} trampolined tasks are
 * active on this thread; past that depth it appends the task to a thread-confined FIFO queue that
 * the outermost active frame drains once its own task returns.
 *
 * <p>Guarantees: a task runs on the thread that submitted it, before the outermost frame of that
 * thread returns; tasks run in submission order (once a task is queued, later submissions from
 * nested frames queue behind it rather than overtake it); and the stack holds at most {@link
 * #MAX_DEPTH} nested frames of tasks. Callers never hold a lock of the core while submitting.
 *
 * <p>Implementation overview: one instance per thread (a {@link ThreadLocal}); {@code depth} counts
 * active frames; deferred tasks sit in a growable ring buffer ({@code queue}, {@code head}, {@code
 * size}), allocated on the first deferral of the thread and reused afterwards. All fields are
 * plain: the instance is confined to its thread. {@link #help(java.util.concurrent.Future)} lets a
 * thread that is about to wait, from inside a frame, for a future whose completion is queued on its
 * own trampoline run the queue instead of waiting for itself.
 */
public final class Trampoline {

    /** Nesting depth past which tasks are deferred to the outermost frame. */
    static final int MAX_DEPTH = 16;

    private static final ThreadLocal<Trampoline> CURRENT = ThreadLocal.withInitial(Trampoline::new);

    /**
     * An {@link Executor} that runs each task through {@link #run(Runnable)} on the calling thread.
     * The stack-safe futures pass it to {@code CompletableFuture}'s {@code *Async} methods, so that
     * a dependent runs on the thread that completes (or attaches) it, with bounded nesting.
     */
    public static final Executor EXECUTOR = Trampoline::run;

    private int depth;
    private Runnable[] queue;
    private int head;
    private int size;

    private Trampoline() {}

    /**
     * A unit of work run through the trampoline, for the core's own waiters (no wrapper object per
     * submission). A task instance must be submitted at most once at a time.
     */
    public abstract static class Task implements Runnable {

        /** Creates a task. */
        protected Task() {}

        /** Runs this task; must not throw. */
        protected abstract void runTask();

        /** Runs {@link #runTask()}. */
        @Override
        public final void run() {
            runTask();
        }
    }

    /**
     * Runs {@code task} now, or, when this thread is already {@link #MAX_DEPTH} trampolined tasks
     * deep or has tasks queued, queues it for the outermost frame.
     *
     * @param task the task
     */
    public static void run(Runnable task) {
        Trampoline t = CURRENT.get();
        if (t.depth > 0 && (t.depth >= MAX_DEPTH || t.size > 0)) {
            t.enqueue(task);
            return;
        }
        t.depth++;
        try {
            task.run();
        } finally {
            t.leave();
        }
    }

    /**
     * Enters a frame for work the caller runs inline (a dependent attached to a future that is
     * already complete), if that is allowed now: fewer than {@link #MAX_DEPTH} frames active and
     * nothing queued. A true result must be paired with {@link #exit()} in a {@code finally} block.
     *
     * @return true if the caller entered a frame and may run its work inline; false if it must
     *     submit the work through {@link #run(Runnable)} (it will be queued)
     */
    public static boolean enter() {
        Trampoline t = CURRENT.get();
        if (t.depth > 0 && (t.depth >= MAX_DEPTH || t.size > 0)) {
            return false;
        }
        t.depth++;
        return true;
    }

    /** Leaves the frame entered by {@link #enter()}; the outermost frame drains the queue. */
    public static void exit() {
        CURRENT.get().leave();
    }

    private void leave() {
        try {
            if (depth == 1) {
                drain();
            }
        } finally {
            depth--;
        }
    }

    /**
     * Runs every queued task, in order; runs the rest even if one throws, then rethrows the first
     * failure.
     */
    private void drain() {
        Throwable failure = null;
        while (size > 0) {
            Runnable next = queue[head];
            queue[head] = null;
            head = (head + 1) & (queue.length - 1);
            size--;
            try {
                next.run();
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        head = 0;
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        } else if (failure instanceof Error) {
            throw (Error) failure;
        } else if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * Called by a thread about to wait for {@code future}: while it is not done and tasks are
     * queued on this thread's trampoline (its completion may be one of them), runs them, in order,
     * as a nested frame. Without this, a {@code join()} inside a continuation on a future whose
     * completion was deferred to the outermost frame would wait for itself.
     *
     * @param future the future about to be waited for
     */
    public static void help(java.util.concurrent.Future<?> future) {
        Trampoline t = CURRENT.get();
        while (t.size > 0 && !future.isDone()) {
            Runnable next = t.queue[t.head];
            t.queue[t.head] = null;
            t.head = (t.head + 1) & (t.queue.length - 1);
            t.size--;
            t.depth++;
            try {
                next.run();
            } finally {
                t.depth--;
            }
        }
    }

    private void enqueue(Runnable task) {
        Objects.requireNonNull(task, "task");
        Runnable[] q = queue;
        if (q == null) {
            q = queue = new Runnable[16];
        } else if (size == q.length) {
            Runnable[] bigger = new Runnable[q.length << 1];
            for (int i = 0; i < size; i++) {
                bigger[i] = q[(head + i) & (q.length - 1)];
            }
            queue = q = bigger;
            head = 0;
        }
        q[(head + size) & (q.length - 1)] = task;
        size++;
    }

    /** For tests: the number of trampolined frames active on this thread. */
    static int depth() {
        return CURRENT.get().depth;
    }

    /** For tests: the number of tasks queued on this thread. */
    static int queued() {
        return CURRENT.get().size;
    }
}
