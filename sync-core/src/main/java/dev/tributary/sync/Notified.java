package dev.tributary.sync;

import dev.tributary.sync.internal.BlockingCheck;
import dev.tributary.sync.internal.StackSafeFuture;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One wait for a notification from a {@link Notify}: tokio's {@code Notified} future, as a handle
 * that can be registered, awaited asynchronously or by parking, queried and closed.
 *
 * <p>Life cycle: created by {@link Notify#notified()} (unregistered; it already receives {@link
 * Notify#notifyWaiters()}), registered by {@link #enable()}, {@link #future()} or a blocking wait
 * (from then on it also receives {@link Notify#notifyOne()}/{@link Notify#notifyLast()}, or
 * consumes the stored permit), then either notified or closed. A handle receives at most one
 * notification; create a new one for the next wait.
 *
 * <p><b>Closing.</b> {@link #close()} withdraws the handle (try-with-resources works). Java has no
 * drop, so close a handle that you registered but stop waiting on: if it was chosen by {@code
 * notifyOne}/{@code notifyLast} and nobody observed that (no {@code future()} was handed out, and
 * {@code enable()}/{@link #isNotified()} never returned true), closing passes the notification on
 * to the next waiter, or makes it the stored permit again. An abandoned, unclosed handle keeps such
 * a notification.
 *
 * <p><b>Threads.</b> A handle is used by one thread at a time (hand it over with the usual
 * happens-before). The future returned by {@link #future()} may be completed or cancelled from any
 * thread.
 */
public final class Notified implements AutoCloseable {

    /** Not registered yet. */
    private static final int INIT = 0;

    /** Registered: {@code waiter} is linked, claimed, or (blocking mode) being awaited. */
    private static final int WAITING = 1;

    /** Notified, and the caller has seen it (or will, through the handed-out future). */
    private static final int DONE = 2;

    /** Withdrawn without a notification (closed, cancelled, interrupted, timed out). */
    private static final int CLOSED = 3;

    private final Notify notify;

    /** The number of {@code notifyWaiters()} calls when this handle was created. */
    private final long calls;

    // Plain fields: a handle is confined to one thread at a time.
    private int phase = INIT;

    /** The registration, once queued; its future is the handle's future in async mode. */
    private Notify.NotifyWaiter waiter;

    /**
     * The handle's future when it is not the waiter's: completed when notified without queueing,
     * cancelled when closed before registration or after passing its notification on.
     */
    private CompletableFuture<Void> future;

    /** True once {@link #future()} handed the waiter's future to the caller. */
    private boolean handedOut;

    Notified(Notify notify, long calls) {
        this.notify = notify;
        this.calls = calls;
    }

    /**
     * Registers this handle for {@link Notify#notifyOne()} and {@link Notify#notifyLast()}, so that
     * a notification sent from now on is not missed even if the caller checks its condition before
     * waiting (tokio's {@code Notified::enable}). Consumes the stored permit if there is one.
     *
     * <p>Returns true, and registers nothing, if the handle is already notified: {@code
     * notifyWaiters()} was called after it was created, or the stored permit was consumed now. On a
     * registered handle, returns whether a notification has arrived since. Returns false on a
     * closed handle.
     *
     * @return true if this handle is notified; false if it is registered and waiting, or closed
     */
    public boolean enable() {
        switch (phase) {
            case INIT:
                return registerAsync();
            case WAITING:
                return pollWaiting();
            case DONE:
                return true;
            default:
                return false;
        }
    }

    /**
     * Returns the future of this wait, registering the handle first if needed. Every call returns
     * the same instance. It is already complete if the handle was notified (including by a {@code
     * notifyWaiters()} after its creation, or the stored permit), and already cancelled if the
     * handle was closed.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Cancelling the future (or {@code completeExceptionally}, {@code orTimeout}) withdraws
     *       the wait and loses only its place in the queue: either the notification arrived first
     *       and the future keeps it, or the wait is withdrawn; a {@code notifyOne}/{@code
     *       notifyLast} that chose this wait in the race is passed on to the next waiter or becomes
     *       the stored permit again. Cancelling a dependent stage ({@code future().thenRun(r)})
     *       does not reach this future.
     *   <dt>Fairness
     *   <dd>FIFO for {@code notifyOne()}, LIFO for {@code notifyLast()}, by registration order.
     *   <dt>Completion thread
     *   <dd>Already complete when no wait was needed; otherwise completed by the thread that called
     *       {@code notifyOne()}, {@code notifyLast()} or {@code notifyWaiters()} (trampolined: deep
     *       notification chains do not grow its stack), after internal locks are released. Blocking
     *       inside a dependent stage blocks that thread. Dependents are <a
     *       href="package-summary.html#stack-safety">stack-safe</a>.
     * </dl>
     *
     * @return the future of the notification
     */
    public CompletableFuture<Void> future() {
        if (future != null) {
            return future;
        }
        switch (phase) {
            case INIT:
                if (registerAsync()) {
                    future = StackSafeFuture.completed(null);
                    return future;
                }
                handedOut = true;
                return waiter.future();
            case WAITING:
                handedOut = true;
                return waiter.future();
            default:
                if (waiter != null && waiter.future() != null) {
                    return waiter.future(); // completed or cancelled already
                }
                future = new StackSafeFuture<>();
                if (phase == DONE) {
                    future.complete(null);
                } else {
                    future.cancel(false);
                }
                return future;
        }
    }

    /**
     * Waits for a notification, parking the current thread, registering the handle first if needed.
     * Returns at once if it is already notified.
     *
     * <dl>
     *   <dt>Cancellation
     *   <dd>Interruption (and, for the timed form, the timeout) cancels the wait; it loses only its
     *       place in the queue, as {@link #future()} describes.
     *   <dt>Blocking
     *   <dd>Parks with {@code LockSupport} (fine on virtual threads); the thread also wakes up when
     *       the handle's future (from an earlier {@link #future()}/{@link #enable()}) is completed
     *       from another thread. Interruption, checked on entry too, withdraws the wait like {@link
     *       #close()}: if it wins, {@link InterruptedException} is thrown and a one-shot
     *       notification that chose this wait in the race is passed on; if the notification arrived
     *       first, the method returns normally with the interrupt status set again. Fails fast with
     *       {@link IllegalStateException} on a Reactor non-blocking thread.
     *   <dt>Fairness
     *   <dd>As {@link #future()}, in the same queue as the asynchronous waits.
     * </dl>
     *
     * @throws InterruptedException if interrupted before the notification arrived (the handle is
     *     then closed)
     * @throws IllegalStateException if the handle is closed, or on a Reactor non-blocking thread
     * @throws CancellationException if the handle's future is cancelled from another thread while
     *     waiting
     */
    public void blockingAwait() throws InterruptedException {
        BlockingCheck.check("Notified.blockingAwait");
        awaitBlocking(Long.MAX_VALUE);
    }

    /**
     * Waits for a notification, parking the current thread for at most {@code timeout}. A timeout
     * withdraws the wait like {@link #close()} (a one-shot notification that chose it in the race
     * is passed on), and the handle is closed. See {@link #blockingAwait()} for the interrupt
     * contract.
     *
     * @param timeout the longest wait; zero or negative means "do not wait" (only the stored permit
     *     or an earlier {@code notifyWaiters()} can satisfy it)
     * @return true if notified, false if the timeout passed first
     * @throws InterruptedException if interrupted before the notification arrived (the handle is
     *     then closed)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if the handle is closed, or on a Reactor non-blocking thread
     * @throws CancellationException if the handle's future is cancelled from another thread while
     *     waiting
     */
    public boolean blockingAwait(Duration timeout) throws InterruptedException {
        long deadline = BlockingCheck.deadlineOf(timeout);
        BlockingCheck.check("Notified.blockingAwait");
        return awaitBlocking(deadline);
    }

    /**
     * Returns true if this handle is notified: {@code notifyWaiters()} was called after its
     * creation, or, once registered, a notification (or the stored permit) reached it. Does not
     * register the handle and never consumes the stored permit; a true result counts as observing
     * the notification (closing the handle afterwards does not pass it on).
     *
     * @return whether this handle is notified; false once it is closed without a notification
     */
    public boolean isNotified() {
        switch (phase) {
            case INIT:
                if (notify.notifiedAllSince(calls)) {
                    phase = DONE;
                    return true;
                }
                return false;
            case WAITING:
                return pollWaiting();
            case DONE:
                return true;
            default:
                return false;
        }
    }

    /**
     * Withdraws this handle; idempotent, and a no-op once it is notified and that was observed. A
     * pending wait is withdrawn and its future (if handed out) cancelled. If a {@code
     * notifyOne}/{@code notifyLast} chose this handle and nobody observed it (no future handed out,
     * no true result from {@link #enable()} or {@link #isNotified()}), the notification is passed
     * on to the next waiter or becomes the stored permit again, as tokio does when a {@code
     * Notified} is dropped.
     */
    @Override
    public void close() {
        if (phase == INIT) {
            phase = CLOSED;
        } else if (phase == WAITING && waiter.future() != null) {
            settle(!handedOut); // (a blocking wait in progress on another thread is left alone)
        }
    }

    private boolean registerAsync() {
        if (notify.tryComplete(calls)) {
            phase = DONE;
            return true;
        }
        Notify.NotifyWaiter w = notify.newWaiter(false);
        if (!notify.register(w, calls)) {
            phase = DONE;
            return true;
        }
        waiter = w;
        phase = WAITING;
        return false;
    }

    /** WAITING, async mode: has the future completed? (False while a blocking wait is parked.) */
    private boolean pollWaiting() {
        CompletableFuture<Void> f = waiter.future();
        if (f == null || !f.isDone()) {
            return false;
        }
        if (f.isCompletedExceptionally()) {
            phase = CLOSED; // cancelled from outside
            return false;
        }
        phase = DONE;
        return true;
    }

    /**
     * Withdraws a WAITING async-mode handle: cancels its future, or, if the notification arrived
     * first, keeps it (when it is to be observed) or passes a one-shot notification on.
     *
     * @param passOnIfNotified true if an arrived notification has not been observed and must be
     *     passed on
     * @return true if the handle ends notified
     */
    private boolean settle(boolean passOnIfNotified) {
        CompletableFuture<Void> f = waiter.future();
        if (f.cancel(false) || f.isCompletedExceptionally()) {
            // Withdrawn; a notification claimed in the race is passed on by undelivered().
            phase = CLOSED;
            return false;
        }
        if (passOnIfNotified) {
            future = new StackSafeFuture<>();
            future.cancel(false);
            phase = CLOSED;
            waiter.passOn();
            return false;
        }
        phase = DONE;
        return true;
    }

    private boolean awaitBlocking(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            close();
            throw new InterruptedException();
        }
        switch (phase) {
            case INIT:
                return awaitNew(deadline);
            case WAITING:
                return awaitFuture(deadline);
            case DONE:
                return true;
            default:
                throw new IllegalStateException(
                        "Notified is closed: create a new one with Notify.notified() to wait again");
        }
    }

    /** Registers a blocking-mode waiter for the current thread and parks on it. */
    private boolean awaitNew(long deadline) throws InterruptedException {
        if (notify.tryComplete(calls)) {
            phase = DONE;
            return true;
        }
        if (deadline != Long.MAX_VALUE && deadline - System.nanoTime() <= 0L) {
            phase = CLOSED;
            return false;
        }
        Notify.NotifyWaiter w = notify.newWaiter(true);
        if (!notify.register(w, calls)) {
            phase = DONE;
            return true;
        }
        waiter = w;
        phase = WAITING;
        try {
            w.awaitBlocking(deadline, null);
        } catch (InterruptedException e) {
            phase = CLOSED; // withdrawn before any claim
            throw e;
        }
        // A claim sets kind before firing; a timeout or interrupt that won tryCancel leaves NONE.
        phase = w.kind != Notify.NONE ? DONE : CLOSED;
        return phase == DONE;
    }

    /** A handle registered in async mode (enable/future) parks on its future, keeping its place. */
    private boolean awaitFuture(long deadline) throws InterruptedException {
        CompletableFuture<Void> f = waiter.future();
        if (f.isDone() && !pollWaiting()) {
            throw new IllegalStateException(
                    "Notified is closed: its future was cancelled or completed exceptionally");
        }
        try {
            if (deadline == Long.MAX_VALUE) {
                f.get();
            } else {
                f.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            if (settle(false)) {
                Thread.currentThread().interrupt(); // notified first: keep it, restore the flag
                return true;
            }
            throw e;
        } catch (TimeoutException e) {
            return settle(false);
        } catch (ExecutionException e) {
            // Only an outside completeExceptionally can fail the future; it withdrew the wait.
            phase = CLOSED;
            CancellationException c =
                    new CancellationException("the Notified's future was completed exceptionally");
            c.initCause(e.getCause());
            throw c;
        } catch (CancellationException e) {
            phase = CLOSED;
            throw e;
        }
        phase = DONE;
        return true;
    }

    @Override
    public String toString() {
        String p;
        switch (phase) {
            case INIT:
                p = "created";
                break;
            case WAITING:
                p = "waiting";
                break;
            case DONE:
                p = "notified";
                break;
            default:
                p = "closed";
                break;
        }
        return "Notified[" + p + "]";
    }
}
