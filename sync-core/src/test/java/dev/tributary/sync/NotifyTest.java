package dev.tributary.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.internal.Trampoline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Behaviours of {@link Notify} and {@link Notified}, ported from tokio's {@code
 * tokio/tests/sync_notify.rs} (and the {@code enable} / {@code notify_last} / {@code
 * notify_waiters} contracts of {@code tokio/src/sync/notify.rs}), plus the Java-specific contracts:
 * the cancel contract of the returned future and of {@link Notified#close()}, blocking variants,
 * Reactor non-blocking threads, bad input.
 */
@Timeout(60)
class NotifyTest {

    // ----- tokio/tests/sync_notify.rs -----

    @Test
    void notifyOneBeforeNotifiedStoresThePermit() { // notify_notified_one
        Notify notify = new Notify();
        notify.notifyOne();
        assertTrue(notify.notified().future().isDone());
    }

    @Test
    void notifiedThenNotifyOne() { // notified_one_notify
        Notify notify = new Notify();
        CompletableFuture<Void> f = notify.notified().future();
        assertFalse(f.isDone());
        notify.notifyOne();
        assertTrue(f.isDone());
        assertFalse(f.isCompletedExceptionally());
    }

    @Test
    void notifyOneWakesOnlyTheOldest() { // notified_multi_notify
        Notify notify = new Notify();
        CompletableFuture<Void> f1 = notify.notified().future();
        CompletableFuture<Void> f2 = notify.notified().future();
        notify.notifyOne();
        assertTrue(f1.isDone());
        assertFalse(f2.isDone());
    }

    @Test
    void storedPermitServesOneWaiterOnly() { // notify_notified_multi
        Notify notify = new Notify();
        notify.notifyOne();
        CompletableFuture<Void> f1 = notify.notified().future();
        CompletableFuture<Void> f2 = notify.notified().future();
        assertTrue(f1.isDone());
        assertFalse(f2.isDone());
        notify.notifyOne();
        assertTrue(f2.isDone());
    }

    @Test
    void onlyOnePermitIsStored() {
        Notify notify = new Notify();
        notify.notifyOne();
        notify.notifyOne();
        notify.notifyLast();
        assertTrue(notify.notified().future().isDone());
        assertFalse(notify.notified().future().isDone());
    }

    @Test
    void closedWaiterIsSkipped() { // notified_drop_notified_notify
        Notify notify = new Notify();
        Notified n1 = notify.notified();
        Notified n2 = notify.notified();
        CompletableFuture<Void> f1 = n1.future();
        n1.close();
        assertTrue(f1.isCancelled());
        CompletableFuture<Void> f2 = n2.future();
        notify.notifyOne();
        assertTrue(f2.isDone());
        assertFalse(f2.isCancelled());
    }

    @Test
    void cancelledFutureIsSkipped() {
        Notify notify = new Notify();
        CompletableFuture<Void> f1 = notify.notified().future();
        CompletableFuture<Void> f2 = notify.notified().future();
        assertTrue(f1.cancel(false));
        notify.notifyOne();
        assertTrue(f2.isDone());
        assertFalse(f2.isCancelled());
        assertFalse(takePermit(notify), "no permit may be left over");
    }

    @Test
    void closingAChosenUnobservedHandlePassesItOn() { // notified_multi_notify_drop_one
        Notify notify = new Notify();
        Notified n1 = notify.notified();
        Notified n2 = notify.notified();
        assertFalse(n1.enable());
        assertFalse(n2.enable());
        notify.notifyOne(); // chooses n1, which nobody has looked at yet
        assertFalse(n2.isNotified());
        n1.close();
        assertTrue(n2.isNotified());
        assertFalse(n1.isNotified());
        assertTrue(n1.future().isCancelled());
    }

    @Test
    void closingAChosenUnobservedHandleRestoresThePermit() {
        Notify notify = new Notify();
        Notified n = notify.notified();
        assertFalse(n.enable());
        notify.notifyOne();
        n.close();
        assertTrue(takePermit(notify), "the notification became the stored permit again");
        assertFalse(takePermit(notify));
    }

    @Test
    void closingAnObservedHandleKeepsTheNotification() {
        Notify notify = new Notify();
        Notified n = notify.notified();
        n.enable();
        notify.notifyOne();
        assertTrue(n.isNotified()); // observed
        n.close();
        assertTrue(n.isNotified());
        assertFalse(takePermit(notify), "an observed notification is not passed on");

        Notified m = notify.notified();
        CompletableFuture<Void> f = m.future(); // handed out: completion is delivery
        notify.notifyOne();
        m.close();
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
        assertFalse(takePermit(notify));
    }

    @Test
    void closingAHandleChosenByNotifyWaitersPassesNothingOn() {
        Notify notify = new Notify();
        Notified n = notify.notified();
        n.enable();
        notify.notifyWaiters();
        n.close();
        assertFalse(takePermit(notify), "notifyWaiters never becomes a stored permit");
    }

    @Test
    void notifyInsideACompletionDoesNotDeadlock() { // notify_in_drop_after_wake
        Notify notify = new Notify();
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Void> f = notify.notified().future();
        CompletableFuture<Void> g = notify.notified().future();
        f.thenRun(
                () -> {
                    ran.incrementAndGet();
                    notify.notifyWaiters();
                    notify.notifyOne();
                });
        notify.notifyOne();
        assertEquals(1, ran.get());
        assertTrue(g.isDone());
        assertTrue(takePermit(notify), "the inner notifyOne stored the permit");
    }

    @Test
    void notifyOneAfterNotifyWaitersAndClose() { // notify_one_after_dropped_all
        Notify notify = new Notify();
        Notified n1 = notify.notified();
        CompletableFuture<Void> f1 = n1.future();
        notify.notifyWaiters();
        notify.notifyOne();
        n1.close();
        assertTrue(f1.isDone());
        assertFalse(f1.isCancelled());
        assertTrue(notify.notified().future().isDone());
    }

    @Test
    void notifyOneReachesAnUnregisteredHandleOnlyThroughThePermit() { // test_notify_one_not_enabled
        Notify notify = new Notify();
        Notified n = notify.notified();
        notify.notifyOne(); // n is not registered: the permit is stored
        assertFalse(n.isNotified());
        assertTrue(n.future().isDone()); // registering consumes the permit
    }

    @Test
    void enableThenNotifyOne() { // test_notify_one_after_enable
        Notify notify = new Notify();
        Notified n = notify.notified();
        assertFalse(n.enable());
        notify.notifyOne();
        assertTrue(n.future().isDone());
        assertTrue(n.enable());
        assertFalse(takePermit(notify), "the notification went to n, not to the permit");
    }

    @Test
    void futureAfterEnableIsPending() { // test_poll_after_enable
        Notify notify = new Notify();
        Notified n = notify.notified();
        assertFalse(n.enable());
        assertFalse(n.future().isDone());
    }

    @Test
    void enableAfterFutureIsFalse() { // test_enable_after_poll
        Notify notify = new Notify();
        Notified n = notify.notified();
        assertFalse(n.future().isDone());
        assertFalse(n.enable());
    }

    @Test
    void enableConsumesThePermit() { // test_enable_consumes_permit
        Notify notify = new Notify();
        notify.notifyOne();
        assertTrue(notify.notified().enable());
        assertFalse(notify.notified().enable());
    }

    @Test
    void enableKeepsTheQueuePlace() {
        Notify notify = new Notify();
        Notified n1 = notify.notified();
        Notified n2 = notify.notified();
        n2.enable(); // registered first, though created second
        n1.enable();
        notify.notifyOne();
        assertTrue(n2.isNotified());
        assertFalse(n1.isNotified());
    }

    // ----- notifyWaiters -----

    @Test
    void notifyWaitersDoesNotStoreAPermit() {
        Notify notify = new Notify();
        notify.notifyWaiters();
        assertFalse(takePermit(notify));
    }

    @Test
    void notifyWaitersReachesEveryHandleCreatedBeforeIt() {
        Notify notify = new Notify();
        Notified unregistered = notify.notified();
        Notified enabled = notify.notified();
        enabled.enable();
        CompletableFuture<Void> awaited = notify.notified().future();
        notify.notifyWaiters();
        Notified after = notify.notified();

        assertTrue(unregistered.isNotified());
        assertTrue(unregistered.future().isDone());
        assertTrue(enabled.isNotified());
        assertTrue(awaited.isDone());
        assertFalse(after.isNotified());
        assertFalse(after.enable());
        assertFalse(after.future().isDone());
    }

    @Test
    void notifyWaitersKeepsAStoredPermit() {
        Notify notify = new Notify();
        notify.notifyOne();
        notify.notifyWaiters();
        assertTrue(takePermit(notify));
        assertFalse(takePermit(notify));
    }

    @Test
    void notifyWaitersThenNotifyOneReachesNewWaiters() {
        Notify notify = new Notify();
        CompletableFuture<Void> f = notify.notified().future();
        notify.notifyWaiters();
        assertTrue(f.isDone());
        CompletableFuture<Void> g = notify.notified().future();
        assertFalse(g.isDone());
        notify.notifyOne();
        assertTrue(g.isDone());
    }

    // ----- notifyLast -----

    @Test
    void notifyLastWakesTheNewest() {
        Notify notify = new Notify();
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fs.add(notify.notified().future());
        }
        notify.notifyLast();
        assertDone(fs, false, false, false, true);
        notify.notifyOne();
        assertDone(fs, true, false, false, true);
        notify.notifyLast();
        assertDone(fs, true, false, true, true);
        notify.notifyLast();
        assertDone(fs, true, true, true, true);
        notify.notifyLast();
        assertTrue(takePermit(notify), "with nobody waiting notifyLast stores the permit");
    }

    private static void assertDone(List<CompletableFuture<Void>> fs, boolean... expected) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], fs.get(i).isDone(), "future " + i);
        }
    }

    // ----- the handle -----

    @Test
    void futureIsTheSameInstanceOnEveryCall() {
        Notify notify = new Notify();
        Notified waiting = notify.notified();
        assertSame(waiting.future(), waiting.future());
        notify.notifyOne();
        assertSame(waiting.future(), waiting.future());

        notify.notifyOne();
        Notified immediate = notify.notified();
        CompletableFuture<Void> f = immediate.future();
        assertTrue(f.isDone());
        assertSame(f, immediate.future());

        Notified closed = notify.notified();
        closed.close();
        assertTrue(closed.future().isCancelled());
        assertSame(closed.future(), closed.future());
    }

    @Test
    void isNotifiedNeitherRegistersNorConsumes() {
        Notify notify = new Notify();
        notify.notifyOne();
        Notified n = notify.notified();
        assertFalse(n.isNotified());
        assertTrue(takePermit(notify), "isNotified left the permit in place");
        notify.notifyOne(); // n is still unregistered: this stores the permit again
        assertFalse(n.isNotified());
    }

    @Test
    void closedHandle() throws InterruptedException {
        Notify notify = new Notify();
        Notified n = notify.notified();
        n.close();
        n.close(); // idempotent
        assertFalse(n.enable());
        assertFalse(n.isNotified());
        assertTrue(n.future().isCancelled());
        IllegalStateException e = assertThrows(IllegalStateException.class, n::blockingAwait);
        assertTrue(e.getMessage().startsWith("Notified is closed"), e.getMessage());
        notify.notifyOne();
        assertTrue(takePermit(notify), "a closed handle does not take notifications");
        assertTrue(n.toString().contains("closed"), n.toString());
    }

    @Test
    void completionRunsOnTheNotifyingThread() throws Exception {
        Notify notify = new Notify();
        CompletableFuture<Thread> ranOn =
                notify.notified().future().thenApply(v -> currentThread());
        Thread t = new Thread(notify::notifyOne, "notifier");
        t.start();
        t.join();
        assertSame(t, ranOn.get(10, TimeUnit.SECONDS));
    }

    private static Thread currentThread() {
        return Thread.currentThread();
    }

    // ----- cancel contract: a chosen wait that is cancelled passes the notification on -----

    @Test
    void cancelledChosenFuturePassesItToTheNextWaiter() {
        Notify notify = new Notify();
        CompletableFuture<Void> first = notify.notified().future();
        CompletableFuture<Void> second = notify.notified().future();
        AtomicReference<Boolean> cancelled = new AtomicReference<>();
        withDeferredCompletions(
                () -> {
                    notify.notifyOne(); // claims `first`; its completion is deferred
                    assertFalse(first.isDone(), "completion must be pending for this test");
                    cancelled.set(first.cancel(false)); // the outside cancel wins the future
                });
        assertTrue(cancelled.get());
        assertTrue(first.isCancelled());
        assertTrue(second.isDone(), "the notification moved on to the next waiter");
        assertFalse(second.isCancelled());
        assertFalse(takePermit(notify), "and was not also stored");
    }

    @Test
    void cancelledChosenFutureRestoresThePermit() {
        Notify notify = new Notify();
        CompletableFuture<Void> only = notify.notified().future();
        withDeferredCompletions(
                () -> {
                    notify.notifyLast();
                    assertFalse(only.isDone(), "completion must be pending for this test");
                    assertTrue(only.cancel(false));
                });
        assertTrue(only.isCancelled());
        assertTrue(takePermit(notify), "the notification became the stored permit");
        assertFalse(takePermit(notify));
    }

    @Test
    void cancelledFutureChosenByNotifyWaitersStoresNothing() {
        Notify notify = new Notify();
        CompletableFuture<Void> only = notify.notified().future();
        withDeferredCompletions(
                () -> {
                    notify.notifyWaiters();
                    assertFalse(only.isDone(), "completion must be pending for this test");
                    assertTrue(only.cancel(false));
                });
        assertFalse(takePermit(notify));
    }

    @Test
    void timeoutOfTheFutureWithdrawsIt() {
        Notify notify = new Notify();
        CompletableFuture<Void> f = notify.notified().future();
        CompletableFuture<Void> g = notify.notified().future();
        f.orTimeout(1, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(f::isDone);
        assertTrue(f.isCompletedExceptionally());
        notify.notifyOne();
        assertTrue(g.isDone());
    }

    /**
     * Runs {@code body} as deep in nested trampolined completions as it takes for a further
     * completion on this thread to be deferred until the outermost one returns: a future that
     * {@code body} causes to be completed stays pending until {@code body} has returned, which
     * opens the window between a waiter's claim and its completion deterministically.
     */
    private static void withDeferredCompletions(Runnable body) {
        boolean[] done = {false};
        class Level extends Trampoline.Task {
            boolean ran;

            @Override
            protected void runTask() {
                ran = true;
                if (done[0]) {
                    return;
                }
                Level inner = new Level();
                Trampoline.run(inner);
                if (!inner.ran && !done[0]) {
                    done[0] = true; // inner was deferred: completions here are deferred too
                    body.run();
                }
            }
        }
        Trampoline.run(new Level());
        assertTrue(done[0]);
    }

    // ----- blocking -----

    @Test
    void blockingAwaitConsumesTheStoredPermit() throws InterruptedException {
        Notify notify = new Notify();
        notify.notifyOne();
        Notified n = notify.notified();
        n.blockingAwait();
        assertTrue(n.isNotified());
        n.blockingAwait(); // notified already: returns at once
        assertTrue(n.future().isDone());
        assertFalse(takePermit(notify));
    }

    @Test
    void blockingAwaitIsWokenByNotifyOne() throws Exception {
        Notify notify = new Notify();
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                Notified n = notify.notified();
                                n.blockingAwait();
                                result.complete(n.isNotified());
                            } catch (Throwable e) {
                                result.completeExceptionally(e);
                            }
                        });
        t.start();
        awaitParked(t);
        notify.notifyOne();
        assertTrue(result.get(10, TimeUnit.SECONDS));
        assertFalse(takePermit(notify), "the notification was delivered, not stored");
    }

    @Test
    void blockingAwaitIsWokenByNotifyWaiters() throws Exception {
        Notify notify = new Notify();
        CountDownLatch woken = new CountDownLatch(3);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    notify.notified().blockingAwait();
                                    woken.countDown();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            awaitParked(t);
        }
        notify.notifyWaiters();
        assertTrue(woken.await(10, TimeUnit.SECONDS));
    }

    @Test
    void blockingAwaitOnAnEnabledHandleKeepsItsPlace() throws Exception {
        Notify notify = new Notify();
        Notified first = notify.notified();
        first.enable();
        CompletableFuture<Void> second = notify.notified().future();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                first.blockingAwait();
                                done.complete(null);
                            } catch (Throwable e) {
                                done.completeExceptionally(e);
                            }
                        });
        t.start();
        awaitParked(t);
        notify.notifyOne();
        done.get(10, TimeUnit.SECONDS);
        assertFalse(second.isDone(), "the enabled handle was still first in line");
    }

    @Test
    void blockingAwaitTimesOut() throws InterruptedException {
        Notify notify = new Notify();
        Notified n = notify.notified();
        assertFalse(n.blockingAwait(Duration.ofMillis(20)));
        assertTrue(n.future().isCancelled(), "a timed-out handle is closed");
        notify.notifyOne();
        assertTrue(takePermit(notify), "the timed-out wait no longer takes notifications");
    }

    @Test
    void blockingAwaitWithZeroTimeout() throws InterruptedException {
        Notify notify = new Notify();
        assertFalse(notify.notified().blockingAwait(Duration.ZERO));
        notify.notifyOne();
        assertTrue(notify.notified().blockingAwait(Duration.ZERO));
        Notified created = notify.notified();
        notify.notifyWaiters();
        assertTrue(created.blockingAwait(Duration.ofNanos(-1)));
    }

    @Test
    void blockingAwaitOnAnEnabledHandleTimesOut() throws InterruptedException {
        Notify notify = new Notify();
        Notified n = notify.notified();
        n.enable();
        assertFalse(n.blockingAwait(Duration.ofMillis(20)));
        assertFalse(n.isNotified());
        notify.notifyOne();
        assertTrue(takePermit(notify), "the withdrawn handle did not take it");
    }

    @Test
    void blockingAwaitIsInterrupted() throws Exception {
        Notify notify = new Notify();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                notify.notified().blockingAwait();
                                thrown.complete(null);
                            } catch (Throwable e) {
                                thrown.complete(e);
                            }
                        });
        t.start();
        awaitParked(t);
        t.interrupt();
        assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
        notify.notifyOne();
        assertTrue(takePermit(notify), "the interrupted wait was withdrawn");
    }

    @Test
    void blockingAwaitOnAnEnabledHandleIsInterrupted() throws Exception {
        Notify notify = new Notify();
        Notified n = notify.notified();
        n.enable();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                n.blockingAwait();
                                thrown.complete(null);
                            } catch (Throwable e) {
                                thrown.complete(e);
                            }
                        });
        t.start();
        awaitParked(t);
        t.interrupt();
        assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
        assertTrue(n.future().isCancelled());
        notify.notifyOne();
        assertTrue(takePermit(notify));
    }

    @Test
    void interruptOnEntryThrowsAndWithdraws() {
        Notify notify = new Notify();
        notify.notifyOne();
        Notified n = notify.notified();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, n::blockingAwait);
        assertFalse(Thread.interrupted(), "the interrupt status is consumed");
        assertTrue(n.future().isCancelled());
        assertTrue(takePermit(notify), "the permit was not consumed");
    }

    @Test
    void blockingAwaitSeesItsFutureCancelledFromElsewhere() throws Exception {
        Notify notify = new Notify();
        Notified n = notify.notified();
        CompletableFuture<Void> f = n.future();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                n.blockingAwait();
                                thrown.complete(null);
                            } catch (Throwable e) {
                                thrown.complete(e);
                            }
                        });
        t.start();
        awaitParked(t);
        f.cancel(false);
        assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof CancellationException);
    }

    @Test
    void blockingAwaitFailsOnANonBlockingThread() {
        Notify notify = new Notify();
        notify.notifyOne();
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Mono.fromCallable(
                                                () -> {
                                                    notify.notified().blockingAwait();
                                                    return true;
                                                })
                                        .subscribeOn(Schedulers.parallel())
                                        .block(Duration.ofSeconds(10)));
        assertTrue(e.getMessage().startsWith("Notified.blockingAwait would park"), e.getMessage());
        IllegalStateException timed =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Mono.fromCallable(
                                                () ->
                                                        notify.notified()
                                                                .blockingAwait(Duration.ZERO))
                                        .subscribeOn(Schedulers.parallel())
                                        .block(Duration.ofSeconds(10)));
        assertNotNull(timed.getMessage());
        assertTrue(takePermit(notify), "the refused calls did not consume the permit");
    }

    @Test
    void badInput() {
        Notify notify = new Notify();
        NullPointerException e =
                assertThrows(
                        NullPointerException.class, () -> notify.notified().blockingAwait(null));
        assertEquals("timeout", e.getMessage());
    }

    @Test
    void futureCannotBeObtruded() {
        CompletableFuture<Void> f = new Notify().notified().future();
        assertThrows(UnsupportedOperationException.class, () -> f.obtrudeValue(null));
    }

    /**
     * Probes the stored permit: registers a fresh handle and closes it again, so that a probe that
     * finds no permit leaves no waiter behind.
     *
     * @return true if the permit was stored (it is consumed)
     */
    static boolean takePermit(Notify notify) {
        try (Notified probe = notify.notified()) {
            return probe.enable();
        }
    }

    /** Waits until {@code t} is parked (it registers its waiter before parking). */
    static void awaitParked(Thread t) {
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            Thread.State s = t.getState();
                            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
                        });
    }
}
