package dev.tributary.sync;

import static dev.tributary.sync.WatchShared.NO_VERSION;
import static dev.tributary.sync.WatchShared.VERSION_STEP;

import dev.tributary.sync.WatchShared.Snapshot;
import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.Spin;
import dev.tributary.sync.internal.StackSafeFuture;
import dev.tributary.sync.internal.Waiter;
import dev.tributary.sync.internal.WaitingFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One {@link Watch.Receiver}'s side of a watch channel: the version it has seen, its pending wait,
 * and the waits themselves ({@link Watch.Receiver#changed()}, {@link
 * Watch.Receiver#waitFor(Predicate)}, their blocking forms, and the publisher view's {@link
 * #awaitNot(long)}). The receiver handle keeps only its closed flag and delegates here.
 *
 * @param <T> the type of the values
 */
final class WatchReceiverCore<T> {

    /*
     * Implementation overview.
     *
     * Single consumer. `seen` is the version last marked seen, a plain field: calls on one
     * receiver are ordered by its user (one thread at a time, or from the completion of its own
     * future), as tokio's `&mut self`. `pending` holds the one wait in progress: a ChangedWaiter
     * (changed(), awaitNot), a WaitFor future, BLOCKING during a blocking wait, or null. It is set
     * by CAS (reservePending), so a second wait is rejected, and read by close(), which cancels an
     * async one (close may run on another thread: volatile).
     *
     * Lazy marking (cancel safety). changed() and waitFor mark the reported version seen lazily:
     * every receiver method first settles the pending wait. A changed() whose future completed
     * normally marks the version its waiter reported (ChangedWaiter.reported, written by the
     * writer that claimed the waiter before firing it, read after the future is done: the
     * completion orders it); a waitFor whose future completed with the Ref it created itself
     * (`match`, compared by identity) marks the matched version. Marking is therefore tied to the
     * winner of the future's completion: an outside cancel that wins marks nothing.
     *
     * waitFor (async) is a chain of changed-waits ("rounds") from the version last evaluated
     * (`checked`), the predicate evaluated on the thread that ended each round, outside every
     * lock. An outside completion sets `withdrawn` and then cancels the current `round`; a new
     * round is published in `round` and then `withdrawn` is re-read: a Dekker pair
     * (sequentially consistent volatile accesses), so a round is never left linked after an
     * outside completion.
     *
     * Blocking waits re-read `current` within Spin's bounded budget (32 spins, 32 yields) before
     * they register a blocking ChangedWaiter and park (parkUntilChanged); the re-read changes no
     * ordering argument, since the registration re-checks anyway (WatchShared's overview).
     *
     * Reactive Streams views (WatchPublisher, WatchSubscriber). A publisher subscription owns one
     * receiver (Sender.subscribe() or Receiver.clone()); it reads `current` through
     * Receiver.snapshot() (no Ref) and waits only when it has caught up, through
     * Receiver.awaitNot(v): a changed() wait from version v, kept in `pending` so that closing
     * the receiver cancels it.
     *
     * Guarded by WatchLincheckTest (cancellation and lazy marking), WatchRaceTest and
     * WatchPublisherLincheckTest (awaitNot).
     */

    /** Marks a blocking wait in {@code pending}. */
    private static final Object BLOCKING = new Object();

    private final WatchShared<T> shared;

    /** The version last marked seen; written only by this receiver's methods. */
    private long seen;

    /**
     * The pending async wait (a {@link ChangedWaiter} or a {@link WaitFor} future), {@link
     * #BLOCKING} during a blocking wait, or null.
     */
    private volatile Object pending;

    WatchReceiverCore(WatchShared<T> shared, long seen) {
        this.shared = shared;
        this.seen = seen;
    }

    WatchShared<T> shared() {
        return shared;
    }

    // ---- the pending wait ----

    /** Applies a completed changed()/waitFor's mark and clears a finished pending wait. */
    private void settle() {
        Object p = pending;
        if (p instanceof ChangedWaiter) {
            ChangedWaiter<?> w = (ChangedWaiter<?>) p;
            CompletableFuture<?> f = w.future();
            if (f.isDone()) {
                if (!f.isCompletedExceptionally()
                        && w.reported != NO_VERSION
                        && w.deliveredInternally()) { // an outside completion marks nothing
                    seen = w.reported;
                }
                PENDING.compareAndSet(this, p, null);
            }
        } else if (p instanceof CompletableFuture && ((CompletableFuture<?>) p).isDone()) {
            if (p instanceof WaitFor) {
                ((WaitFor<?>) p).applyMark(this);
            }
            PENDING.compareAndSet(this, p, null);
        }
    }

    private void ensureNotPending(String method) {
        if (pending != null) {
            throw pendingError(method);
        }
    }

    private static IllegalStateException pendingError(String method) {
        return new IllegalStateException(
                "Watch.Receiver."
                        + method
                        + " requires no other pending changed()/waitFor() on this receiver"
                        + " (a Receiver has one consumer; clone() it for another) but one was"
                        + " pending");
    }

    /** Takes the pending slot for {@code p}, or throws if another wait holds it. */
    private void reservePending(Object p, String method) {
        if (!PENDING.compareAndSet(this, null, p)) {
            throw pendingError(method);
        }
    }

    // ---- reading and marking ----

    Watch.Ref<T> borrow() {
        settle();
        Snapshot<T> s = shared.current; // acquire; pairs with the CAS of the writers
        return new Watch.Ref<>(s.value, s.version() != seen, s.version());
    }

    Watch.Ref<T> borrowAndUpdate() {
        settle();
        Snapshot<T> s = shared.current;
        long v = s.version();
        boolean changed = v != seen;
        seen = v;
        return new Watch.Ref<>(s.value, changed, v);
    }

    boolean hasChanged() {
        settle();
        Snapshot<T> s = shared.current;
        if (s.isClosed()) {
            throw new ClosedException(
                    "Watch.Receiver.hasChanged: the channel was closed"
                            + (s.cause != null ? " by closeChannel" : " (every Sender is gone)"),
                    s.cause);
        }
        return s.version() != seen;
    }

    void markChanged() {
        settle();
        seen -= VERSION_STEP; // tokio: a wrapping decrement; never equal to a later version
    }

    void markUnchanged() {
        settle();
        seen = shared.current.version();
    }

    /** Whether {@code s} is news to this receiver; no settling (for toString). */
    boolean isUnseen(Snapshot<T> s) {
        return s.version() != seen;
    }

    /** For tests: the version last marked seen (after settling a finished wait). */
    long seenVersion() {
        settle();
        return seen;
    }

    // ---- async waits ----

    CompletableFuture<Void> changed() {
        settle();
        ensureNotPending("changed");
        Snapshot<T> s = shared.current;
        if (s.version() != seen) {
            seen = s.version();
            return StackSafeFuture.completed(null);
        }
        if (s.isClosed()) {
            return StackSafeFuture.failed(WatchShared.closedForRecv(s, "changed"));
        }
        ChangedWaiter<Void> w = new ChangedWaiter<>(shared, false, seen, null);
        reservePending(w, "changed");
        Snapshot<T> now = shared.register(w);
        if (now == null) {
            return w.future();
        }
        pending = null;
        if (now.version() != seen) {
            seen = now.version();
            return StackSafeFuture.completed(null);
        }
        return StackSafeFuture.failed(WatchShared.closedForRecv(now, "changed"));
    }

    CompletableFuture<Watch.Ref<T>> waitFor(Predicate<? super T> predicate) {
        settle();
        ensureNotPending("waitFor");
        Snapshot<T> s = shared.current;
        boolean matched;
        try {
            matched = predicate.test(s.value);
        } catch (Throwable t) {
            return StackSafeFuture.failed(t);
        }
        if (matched) {
            long v = s.version();
            Watch.Ref<T> r = new Watch.Ref<>(s.value, v != seen, v);
            seen = v;
            return StackSafeFuture.completed(r);
        }
        if (s.isClosed()) {
            return StackSafeFuture.failed(WatchShared.closedForRecv(s, "waitFor"));
        }
        WaitFor<T> f = new WaitFor<>(shared, predicate, seen, s.version());
        reservePending(f, "waitFor");
        f.registerRound();
        return f;
    }

    /**
     * For the publisher view: marks version {@code v} seen and waits, as {@link #changed()} does,
     * for another version or the close. Returns null if that already happened (nothing registered);
     * otherwise the pending future of the wait, which {@link #close()} cancels. Costs what a
     * pending {@code changed()} costs: one waiter and its future.
     */
    CompletableFuture<Void> awaitNot(long v) {
        settle();
        ensureNotPending("asPublisher");
        seen = v;
        Snapshot<T> s = shared.current;
        if (s.version() != v || s.isClosed()) {
            return null;
        }
        ChangedWaiter<Void> w = new ChangedWaiter<>(shared, false, v, null);
        reservePending(w, "asPublisher");
        if (shared.register(w) == null) {
            return w.future();
        }
        pending = null;
        return null;
    }

    // ---- blocking waits ----

    /** Receiver.blockingChanged: returns false if {@code deadline} passed first. */
    boolean blockingChanged(long deadline) throws InterruptedException {
        BlockingCheck.check("Watch.Receiver.blockingChanged");
        settle();
        ensureNotPending("blockingChanged");
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        reservePending(BLOCKING, "blockingChanged");
        try {
            long v = parkUntilChanged(seen, deadline, "blockingChanged");
            if (v == NO_VERSION) {
                return false;
            }
            seen = v;
            return true;
        } finally {
            pending = null;
        }
    }

    /** Receiver.blockingWaitFor: returns null if {@code deadline} passed first. */
    Watch.Ref<T> blockingWaitFor(Predicate<? super T> predicate, long deadline)
            throws InterruptedException {
        BlockingCheck.check("Watch.Receiver.blockingWaitFor");
        settle();
        ensureNotPending("blockingWaitFor");
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        reservePending(BLOCKING, "blockingWaitFor");
        try {
            long checked = NO_VERSION;
            for (; ; ) {
                Snapshot<T> s = shared.current;
                long v = s.version();
                if (v != checked) {
                    checked = v;
                    if (predicate.test(s.value)) {
                        Watch.Ref<T> r = new Watch.Ref<>(s.value, v != seen, v);
                        seen = v;
                        return r;
                    }
                }
                if (parkUntilChanged(checked, deadline, "blockingWaitFor") == NO_VERSION) {
                    return null;
                }
            }
        } finally {
            pending = null;
        }
    }

    /**
     * Parks until the version differs from {@code from}: returns the new version, or {@link
     * WatchShared#NO_VERSION} on timeout; throws ClosedException when closed with nothing new.
     */
    private long parkUntilChanged(long from, long deadline, String method)
            throws InterruptedException {
        Snapshot<T> s = shared.current;
        // Bounded re-read before a waiter and a park (see Spin): a writer a few hundred
        // nanoseconds away is caught without a wake-up.
        for (int probes = 0;
                s.version() == from && !s.isClosed() && probes < Spin.BUDGET;
                probes++) {
            Spin.backOff(probes);
            s = shared.current;
        }
        if (s.version() != from) {
            return s.version();
        }
        if (s.isClosed()) {
            throw WatchShared.closedForRecv(s, method);
        }
        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
            return NO_VERSION;
        }
        ChangedWaiter<Boolean> w = new ChangedWaiter<>(shared, true, from, Boolean.TRUE);
        Snapshot<T> now = shared.register(w);
        if (now != null) {
            if (now.version() != from) {
                return now.version();
            }
            throw WatchShared.closedForRecv(now, method);
        }
        return w.awaitBlocking(deadline, Boolean.FALSE) ? w.reported : NO_VERSION;
    }

    // ---- handles ----

    /** Receiver.clone: a new counted receiver that has seen what this one has seen. */
    WatchReceiverCore<T> fork() {
        settle();
        shared.addReceiver();
        return new WatchReceiverCore<>(shared, seen);
    }

    /** Receiver.close (once per handle): cancels a pending async wait, drops the count. */
    void close() {
        Object p = pending;
        if (p instanceof ChangedWaiter) {
            ((ChangedWaiter<?>) p).future().cancel(false);
        } else if (p instanceof CompletableFuture) {
            ((CompletableFuture<?>) p).cancel(false);
        }
        shared.dropReceiver();
    }

    // ---- the waits ----

    /**
     * A receiver's wait for a version other than {@code from}, linked in {@link WatchShared}'s
     * waiter list.
     */
    static final class ChangedWaiter<V> extends Waiter<V> {
        private final WatchShared<?> shared;

        /** The version this wait waits to see replaced. */
        final long from;

        /** The value a wait that saw a new version completes with. */
        private final V onChange;

        /**
         * The version a wait that saw a new version reports: written by the claiming writer before
         * {@link #fire()}, read by the receiver after the future completed (the completion orders
         * it). {@link WatchShared#NO_VERSION} otherwise.
         */
        long reported = NO_VERSION;

        ChangedWaiter(WatchShared<?> shared, boolean blocking, long from, V onChange) {
            super(blocking);
            this.shared = shared;
            this.from = from;
            this.onChange = onChange;
        }

        /** Records the outcome for snapshot {@code s}; called by the claiming writer. */
        void recordOutcome(Snapshot<?> s) {
            if (s.version() != from) {
                reported = s.version();
                setValue(onChange);
            } else {
                setFailure(WatchShared.closedForRecv(s, "changed"));
            }
        }

        @Override
        protected void undelivered(V v) {
            // Nothing to give back: the mark is applied only for a future that completed
            // normally (settle), so a lost delivery marks nothing (cancel-safe).
        }

        @Override
        protected void withdraw() {
            shared.withdraw(this);
        }
    }

    /**
     * The future of an async {@link Watch.Receiver#waitFor(Predicate)}: a chain of changed-waits
     * ("rounds"), the predicate evaluated after each. Completing it from outside withdraws the
     * current round (cancel contract).
     */
    private static final class WaitFor<T> extends WaitingFuture<Watch.Ref<T>> {
        private final WatchShared<T> shared;
        private final Predicate<? super T> predicate;

        /** The receiver's seen version at the call, for {@link Watch.Ref#hasChanged()}. */
        private final long seenAtStart;

        /** The version last evaluated; confined to the thread running a round's end. */
        private long checked;

        /** The current round; volatile for the Dekker pair with {@code withdrawn}. */
        private volatile ChangedWaiter<Void> round;

        /** Set by an outside completion before it withdraws the round. */
        private volatile boolean withdrawn;

        /** The Ref this future completed with internally; compared by identity in applyMark. */
        private volatile Watch.Ref<T> match;

        WaitFor(WatchShared<T> shared, Predicate<? super T> predicate, long seen, long checked) {
            this.shared = shared;
            this.predicate = predicate;
            this.seenAtStart = seen;
            this.checked = checked;
        }

        /** Registers rounds until one is linked, or the outcome is known. */
        void registerRound() {
            for (; ; ) {
                ChangedWaiter<Void> w = new ChangedWaiter<>(shared, false, checked, null);
                Snapshot<T> now = shared.register(w);
                if (now == null) {
                    round = w; // volatile write, then the read of withdrawn (Dekker)
                    if (withdrawn) {
                        w.future().cancel(false);
                        return;
                    }
                    w.future().whenComplete((v, ex) -> onRoundEnd());
                    return;
                }
                if (!evaluate(now)) {
                    return;
                }
            }
        }

        /**
         * After a round ended (news, closed, or withdrawn): evaluate the newest value, or
         * re-register. A closed round is re-evaluated here, so the failure names waitFor.
         */
        private void onRoundEnd() {
            if (withdrawn || isDone()) {
                return;
            }
            if (evaluate(shared.current)) {
                registerRound();
            }
        }

        /** Evaluates {@code s}; returns true if the wait must go on. */
        private boolean evaluate(Snapshot<T> s) {
            long v = s.version();
            if (v != checked) {
                checked = v;
                boolean matched;
                try {
                    matched = predicate.test(s.value);
                } catch (Throwable t) {
                    failInternally(t);
                    return false;
                }
                if (matched) {
                    Watch.Ref<T> r = new Watch.Ref<>(s.value, v != seenAtStart, v);
                    match = r;
                    completeInternally(r);
                    return false;
                }
            }
            if (s.isClosed()) {
                failInternally(WatchShared.closedForRecv(s, "waitFor"));
                return false;
            }
            return true;
        }

        /** Marks the matched version seen if this future holds the match (called by settle). */
        void applyMark(WatchReceiverCore<?> rx) {
            Watch.Ref<T> r = match;
            if (r != null && !isCompletedExceptionally() && getNow(null) == r) {
                rx.seen = r.version();
            }
        }

        /**
         * Withdraws the current round before an outside completion lands (withdraw, then race: a
         * match completed in the race is recognised by identity in {@link #applyMark}).
         */
        @Override
        protected boolean beforeExternalCompletion() {
            if (!isDone()) {
                withdrawn = true; // volatile write, then the read of round (Dekker)
                ChangedWaiter<Void> w = round;
                if (w != null) {
                    w.future().cancel(false);
                }
            }
            return true;
        }
    }

    // VarHandle mechanics
    private static final VarHandle PENDING;

    static {
        try {
            PENDING =
                    MethodHandles.lookup()
                            .findVarHandle(WatchReceiverCore.class, "pending", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
