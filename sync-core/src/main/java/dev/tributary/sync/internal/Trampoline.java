package dev.tributary.sync.internal;

/**
 * Runs completions on the current thread with a bounded nesting depth.
 *
 * <p>Completing a {@code CompletableFuture} runs its dependent stages inline. When a dependent
 * stage releases a primitive, that release completes the next waiter, whose dependents release
 * again, and so on: a chain of hand-offs that would otherwise recurse once per hop and die of
 * {@code StackOverflowError} after a few thousand hops. {@link #run(Task)} runs a task inline while
 * fewer than {@link #MAX_DEPTH} trampolined tasks are active on this thread; past that depth it
 * appends the task to a thread-confined queue that the outermost active call drains once its own
 * task returns. Tasks therefore always run on the thread that submitted them, in submission order
 * relative to other deferred tasks, and never while a lock of the core is held (callers release
 * their locks before calling {@code run}).
 *
 * <p>Implementation overview: one instance per thread (a {@link ThreadLocal}); {@code depth} counts
 * active {@code run} frames; deferred tasks form an intrusive singly linked FIFO through {@link
 * Task#nextDeferred}, so deferring allocates nothing. All fields are plain: the instance is
 * confined to its thread.
 */
public final class Trampoline {

    /** Nesting depth past which tasks are deferred to the outermost frame. */
    static final int MAX_DEPTH = 16;

    private static final ThreadLocal<Trampoline> CURRENT = ThreadLocal.withInitial(Trampoline::new);

    private int depth;
    private Task head;
    private Task tail;

    private Trampoline() {}

    /**
     * A unit of work run through the trampoline. A task instance must be submitted at most once at
     * a time.
     */
    public abstract static class Task {
        private Task nextDeferred;

        /** Creates a task. */
        protected Task() {}

        /** Runs this task; must not throw. */
        protected abstract void runTask();
    }

    /**
     * Runs {@code task} now, or, when this thread is already {@link #MAX_DEPTH} trampolined tasks
     * deep, queues it for the outermost frame.
     *
     * @param task the task; must not throw
     */
    public static void run(Task task) {
        Trampoline t = CURRENT.get();
        if (t.depth >= MAX_DEPTH) {
            t.enqueue(task);
            return;
        }
        t.depth++;
        try {
            task.runTask();
            if (t.depth == 1) {
                t.drain();
            }
        } finally {
            t.depth--;
        }
    }

    private void drain() {
        Task next;
        while ((next = head) != null) {
            head = next.nextDeferred;
            if (head == null) {
                tail = null;
            }
            next.nextDeferred = null;
            next.runTask();
        }
    }

    /**
     * Returns true while this thread runs a trampolined task: the caller is inside a completion
     * that the library started (a continuation of one of its futures, run on this thread).
     *
     * @return whether a trampolined frame is active on this thread
     */
    public static boolean isActive() {
        return CURRENT.get().depth > 0;
    }

    /**
     * Runs {@code task} once the outermost trampolined frame of this thread has finished its
     * current task, or now if no frame is active. A receive that finds its value while already
     * inside a completion uses this instead of returning a completed future: the caller's
     * continuation then runs from the outermost frame instead of inline, so a loop written as
     * recursion ({@code recv().thenAccept(v -> loop())}) does not grow the stack. {@link
     * #runIfDeferred(Task)} lets a thread that waits for the outcome run the task itself.
     *
     * @param task the task; must not throw
     */
    public static void defer(Task task) {
        Trampoline t = CURRENT.get();
        if (t.depth == 0) {
            run(task);
            return;
        }
        t.enqueue(task);
    }

    /**
     * Runs {@code task} now if it is deferred on this thread and has not run yet (used by a thread
     * about to wait for the outcome of that task, which would otherwise wait for itself).
     *
     * @param task a task that may have been passed to {@link #defer(Task)}
     * @return true if this call ran it
     */
    public static boolean runIfDeferred(Task task) {
        Trampoline t = CURRENT.get();
        Task prev = null;
        for (Task x = t.head; x != null; prev = x, x = x.nextDeferred) {
            if (x == task) {
                Task next = x.nextDeferred;
                if (prev == null) {
                    t.head = next;
                } else {
                    prev.nextDeferred = next;
                }
                if (t.tail == x) {
                    t.tail = prev;
                }
                x.nextDeferred = null;
                run(x);
                return true;
            }
        }
        return false;
    }

    private void enqueue(Task task) {
        task.nextDeferred = null;
        if (tail == null) {
            head = task;
        } else {
            tail.nextDeferred = task;
        }
        tail = task;
    }

    /** For tests: the number of trampolined frames active on this thread. */
    static int depth() {
        return CURRENT.get().depth;
    }
}
