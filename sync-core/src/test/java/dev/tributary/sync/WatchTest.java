package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tests of {@link Watch}. Ports the behaviours of tokio's {@code tokio/tests/sync_watch.rs} ({@code
 * single_rx_recv}, {@code rx_version_underflow}, {@code rx_mark_changed}, {@code
 * rx_mark_unchanged}, {@code multi_rx}, {@code rx_observes_final_value}, {@code poll_close}, {@code
 * borrow_and_update}, {@code reopened_after_subscribe}, {@code send_modify_panic}, {@code
 * multiple_sender}, {@code receiver_is_notified_when_last_sender_is_dropped}, the {@code
 * *_is_cooperative} loops, {@code changed_succeeds_on_closed_channel_with_unseen_value}, {@code
 * changed_errors_on_closed_channel_with_seen_value}, {@code has_changed_errors_on_closed_channel_*}
 * and {@code wait_for_errors_on_closed_channel_true_predicate}), plus close with a cause, {@code
 * waitFor}, cancellation, the blocking forms (interrupt, timeout) and deep completion chains.
 *
 * <p>As in tokio, {@link Watch.Receiver#changed()} marks the value it reports seen, so the ports
 * read it with {@link Watch.Receiver#borrow()} where tokio does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private static <T> T now(CompletableFuture<T> f) {
        assertTrue(f.isDone(), "expected a complete future but it was " + f);
        return f.join();
    }

    private static void pending(CompletableFuture<?> f) {
        assertFalse(f.isDone(), "expected a pending future but it was " + f);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "expected a failed future but it was " + f);
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return e.getCause();
    }

    // ---- tokio: single_rx_recv ----

    @Test
    void singleReceiver() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        Watch.Receiver<String> rx = ch.receiver();

        CompletableFuture<Void> t = rx.changed(); // not initially notified
        pending(t);
        t.cancel(false);
        assertEquals("one", rx.borrow().get());

        t = rx.changed();
        pending(t);
        tx.send("two");
        assertNull(now(t));
        assertEquals("two", rx.borrow().get());
        assertFalse(rx.borrow().hasChanged(), "changed() marked it");

        t = rx.changed();
        pending(t);
        tx.close();
        assertInstanceOf(ClosedException.class, failure(t));
        assertEquals("two", rx.borrow().get());
    }

    // ---- tokio: rx_version_underflow ----

    @Test
    void markChangedTwiceOnTheInitialVersion() {
        Watch.Channel<String> ch = Watch.channel("one");
        ch.receiver().markChanged();
        ch.receiver().markChanged();
        assertTrue(ch.receiver().hasChanged());
        assertTrue(ch.receiver().changed().isDone());
    }

    // ---- tokio: rx_mark_changed ----

    @Test
    void markChanged() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Receiver<String> rx = ch.receiver();
        Watch.Receiver<String> rx2 = rx.clone();
        Watch.Receiver<String> rx3 = rx.clone();
        Watch.Receiver<String> rx4 = rx.clone();

        rx.markChanged();
        assertTrue(rx.hasChanged());
        now(rx.changed());

        assertFalse(rx2.hasChanged());
        pending(rx2.changed());

        rx3.markChanged();
        assertEquals("one", rx3.borrow().get());
        assertTrue(rx3.hasChanged());
        Watch.Ref<String> r = rx3.borrowAndUpdate();
        assertEquals("one", r.get());
        assertTrue(r.hasChanged());
        assertFalse(rx3.hasChanged());
        pending(rx3.changed());

        ch.sender().send("two");
        assertTrue(rx4.hasChanged());
        assertEquals("two", rx4.borrowAndUpdate().get());
        rx4.markChanged();
        assertTrue(rx4.hasChanged());
        assertEquals("two", rx4.borrowAndUpdate().get());

        assertEquals("two", rx.borrow().get());
    }

    // ---- tokio: rx_mark_unchanged ----

    @Test
    void markUnchanged() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Receiver<String> rx = ch.receiver();
        Watch.Receiver<String> rx2 = rx.clone();

        assertFalse(rx.hasChanged());
        rx.markChanged();
        assertTrue(rx.hasChanged());
        rx.markUnchanged();
        assertFalse(rx.hasChanged());
        CompletableFuture<Void> t = rx.changed();
        pending(t);
        t.cancel(false);

        assertFalse(rx2.hasChanged());
        ch.sender().send("two");
        assertTrue(rx2.hasChanged());
        rx2.markUnchanged();
        assertFalse(rx2.hasChanged());
        Watch.Ref<String> r = rx2.borrowAndUpdate();
        assertEquals("two", r.get());
        assertFalse(r.hasChanged());

        assertEquals("two", rx.borrow().get());
    }

    // ---- tokio: multi_rx ----

    @Test
    void multipleReceivers() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        Watch.Receiver<String> rx1 = ch.receiver();
        Watch.Receiver<String> rx2 = rx1.clone();

        CompletableFuture<Void> t1 = rx1.changed();
        CompletableFuture<Void> t2 = rx2.changed();
        pending(t1);
        pending(t2);
        t1.cancel(false);
        t2.cancel(false);
        assertEquals("one", rx1.borrow().get());
        assertEquals("one", rx2.borrow().get());

        t2 = rx2.changed();
        t1 = rx1.changed();
        pending(t1);
        pending(t2);
        tx.send("two");
        now(t1);
        now(t2);
        assertEquals("two", rx1.borrow().get());

        t1 = rx1.changed();
        pending(t1);
        tx.send("three");
        now(t1);
        assertEquals("three", rx1.borrowAndUpdate().get());
        assertEquals("three", rx2.borrowAndUpdate().get());

        t1 = rx1.changed();
        t2 = rx2.changed();
        pending(t1);
        pending(t2);
        tx.send("four");
        now(t1);
        now(t2);
        assertEquals("four", rx1.borrow().get());
        assertEquals("four", rx2.borrow().get());
    }

    // ---- tokio: rx_observes_final_value ----

    @Test
    void receiverObservesTheFinalValue() {
        Watch.Channel<String> ch = Watch.channel("one");
        ch.sender().close();
        assertInstanceOf(ClosedException.class, failure(ch.receiver().changed()));
        assertEquals("one", ch.receiver().borrow().get());

        ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        Watch.Receiver<String> rx = ch.receiver();
        tx.send("two");
        now(rx.changed());
        assertEquals("two", rx.borrow().get());

        CompletableFuture<Void> t = rx.changed();
        pending(t);
        tx.send("three");
        tx.close();
        now(t);
        assertEquals("three", rx.borrow().get());

        assertInstanceOf(ClosedException.class, failure(rx.changed()));
        assertEquals("three", rx.borrow().get());
    }

    // ---- tokio: poll_close ----

    @Test
    void senderClosedCompletesWhenTheLastReceiverCloses() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        CompletableFuture<Void> closed = tx.closed();
        pending(closed);
        ch.receiver().close();
        now(closed);
        ClosedException e = assertThrows(ClosedException.class, () -> tx.send("two"));
        assertEquals(
                "Watch.Sender.send: the channel has no receivers (receiverCount was 0); the value"
                        + " was not stored",
                e.getMessage());
        assertEquals("one", tx.borrow().get()); // not stored
        now(tx.closed());
    }

    // ---- tokio: borrow_and_update ----

    @Test
    void borrowAndUpdate() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        Watch.Receiver<String> rx = ch.receiver();
        assertFalse(rx.hasChanged());

        tx.send("two");
        assertTrue(rx.hasChanged());
        now(rx.changed());
        CompletableFuture<Void> t = rx.changed(); // pending: the first changed() marked "two"
        pending(t);
        assertFalse(rx.hasChanged());
        Watch.Ref<String> r = rx.borrowAndUpdate();
        assertEquals("two", r.get());
        assertFalse(r.hasChanged());
        t.cancel(false);
        tx.send("three");
        r = rx.borrowAndUpdate();
        assertEquals("three", r.get());
        assertTrue(r.hasChanged());
        t = rx.changed();
        pending(t);
        assertFalse(rx.hasChanged());
        t.cancel(false);
    }

    @Test
    void borrowAndUpdateAfterClose() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        Watch.Receiver<String> rx = ch.receiver();
        tx.send("three");
        assertEquals("three", rx.borrowAndUpdate().get());
        pending(rx.changed());
        assertFalse(rx.hasChanged());
        tx.close(); // completes the pending changed() with ClosedException
        assertEquals("three", rx.borrowAndUpdate().get());
        assertInstanceOf(ClosedException.class, failure(rx.changed()));
        assertThrows(ClosedException.class, rx::hasChanged);
    }

    // ---- tokio: reopened_after_subscribe ----

    @Test
    void reopenedAfterSubscribe() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        assertFalse(tx.isClosed());
        ch.receiver().close();
        assertTrue(tx.isClosed());
        assertEquals(0, tx.receiverCount());

        Watch.Receiver<String> rx = tx.subscribe();
        assertFalse(tx.isClosed());
        assertEquals(1, tx.receiverCount());
        assertFalse(rx.hasChanged()); // subscribe: the current value counts as seen
        tx.send("two");
        assertEquals("two", rx.borrowAndUpdate().get());

        rx.close();
        assertTrue(tx.isClosed());
    }

    // ---- tokio: send_modify_panic ----

    @Test
    void sendModifyThatThrowsStoresAndNotifiesNothing() {
        Watch.Channel<String[]> ch = Watch.channel(new String[] {"one"});
        Watch.Sender<String[]> tx = ch.sender();
        Watch.Receiver<String[]> rx = ch.receiver();

        tx.sendModify(
                old -> {
                    old[0] = "two";
                    return old;
                });
        assertEquals("two", rx.borrowAndUpdate().get()[0]);
        Watch.Receiver<String[]> rx2 = rx.clone();
        assertEquals("two", rx2.borrowAndUpdate().get()[0]);
        CompletableFuture<Void> task = rx2.changed();

        IllegalArgumentException boom = new IllegalArgumentException("boom");
        IllegalArgumentException thrown =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                tx.sendModify(
                                        old -> {
                                            old[0] = "panicked";
                                            throw boom;
                                        }));
        assertSame(boom, thrown);
        pending(task); // not notified (tokio notifies here)
        assertFalse(rx.hasChanged());
        assertEquals("panicked", rx.borrow().get()[0]); // the in-place mutation stays visible

        tx.sendModify(
                old -> {
                    old[0] = "three";
                    return old;
                });
        now(task);
        assertEquals("three", rx.borrowAndUpdate().get()[0]);
    }

    @Test
    void sendModifyReturningANewValue() {
        Watch.Channel<Integer> ch = Watch.channel(1);
        ch.sender().sendModify(v -> v + 1);
        Watch.Ref<Integer> r = ch.receiver().borrowAndUpdate();
        assertEquals(2, r.get());
        assertTrue(r.hasChanged());
        ch.receiver().close();
        ch.sender().sendModify(v -> v + 1); // stores without receivers
        assertEquals(3, ch.sender().borrow().get());
    }

    @Test
    void sendIfModifiedNotifiesOnlyOnTrue() {
        Watch.Channel<int[]> ch = Watch.channel(new int[] {0});
        Watch.Sender<int[]> tx = ch.sender();
        Watch.Receiver<int[]> rx = ch.receiver();
        CompletableFuture<Void> t = rx.changed();
        assertFalse(tx.sendIfModified(a -> false));
        pending(t);
        assertTrue(
                tx.sendIfModified(
                        a -> {
                            a[0] = 7;
                            return true;
                        }));
        now(t);
        Watch.Ref<int[]> r = rx.borrow();
        assertEquals(7, r.get()[0]);
        assertFalse(r.hasChanged(), "changed() marked the modified value seen");
    }

    @Test
    void sendReplaceStoresWithoutReceiversAndReturnsTheOldValue() {
        Watch.Channel<String> ch = Watch.channel("one");
        Watch.Sender<String> tx = ch.sender();
        assertEquals("one", tx.sendReplace("two"));
        assertTrue(ch.receiver().hasChanged());
        ch.receiver().close();
        assertEquals("two", tx.sendReplace("three"));
        Watch.Receiver<String> rx = tx.subscribe();
        assertEquals("three", rx.borrow().get());
        assertFalse(rx.borrow().hasChanged());
    }

    @Test
    void senderWithoutReceivers() {
        Watch.Sender<String> tx = Watch.sender("one");
        assertTrue(tx.isClosed());
        assertEquals(0, tx.receiverCount());
        assertThrows(ClosedException.class, () -> tx.send("two"));
        assertEquals("one", tx.sendReplace("three"));
        Watch.Receiver<String> rx = tx.subscribe();
        assertFalse(tx.isClosed());
        tx.send("four");
        assertEquals("four", rx.borrowAndUpdate().get());
    }

    @Test
    void senderBorrowNeverReportsAChange() {
        Watch.Channel<String> ch = Watch.channel("one");
        ch.sender().send("two");
        Watch.Ref<String> r = ch.sender().borrow();
        assertEquals("two", r.get());
        assertFalse(r.hasChanged());
        assertEquals("Watch.Ref[two]", r.toString());
    }

    // ---- tokio: multiple_sender ----

    @Test
    void multipleSenders() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx1 = ch.sender();
        Watch.Sender<Integer> tx2 = tx1.clone();
        assertEquals(2, tx1.senderCount());
        assertTrue(tx1.sameChannel(tx2));
        Watch.Receiver<Integer> rx = ch.receiver();
        List<Integer> seen = new ArrayList<>();
        CompletableFuture<Void> done =
                rx.changed()
                        .thenCompose(
                                x -> {
                                    seen.add(rx.borrowAndUpdate().get());
                                    return rx.changed();
                                })
                        .thenRun(() -> seen.add(rx.borrowAndUpdate().get()));
        tx1.send(1);
        pending(done);
        tx2.send(2);
        Race.await(done);
        assertEquals(List.of(1, 2), seen);
    }

    // ---- tokio: receiver_is_notified_when_last_sender_is_dropped ----

    @Test
    void receiverIsNotifiedWhenTheLastSenderCloses() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx1 = ch.sender();
        Watch.Sender<Integer> tx2 = tx1.clone();
        CompletableFuture<Void> t = ch.receiver().changed();
        tx1.close();
        tx1.close(); // idempotent per handle
        pending(t);
        assertEquals(1, tx2.senderCount());
        tx2.close();
        assertInstanceOf(ClosedException.class, failure(t));
        assertEquals(0, tx2.senderCount());
    }

    // ---- tokio: receiver_changed_is_cooperative(_ok), receiver_wait_for_is_cooperative(_ok),
    // sender_closed_is_cooperative: the loops end without waiting ----

    @Test
    void loopsOnCompletedWaitsNeverHang() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx = ch.sender();
        Watch.Receiver<Integer> rx = ch.receiver();
        for (int i = 0; i < 1_000; i++) {
            tx.send(1);
            now(rx.changed());
            rx.borrowAndUpdate();
            assertEquals(1, now(rx.waitFor(v -> v == 1)).get());
        }
        tx.close();
        for (int i = 0; i < 1_000; i++) {
            assertInstanceOf(ClosedException.class, failure(rx.changed()));
            assertInstanceOf(ClosedException.class, failure(rx.waitFor(v -> v == 2)));
        }
        rx.close();
        for (int i = 0; i < 1_000; i++) {
            now(tx.closed());
        }
    }

    // ---- tokio: changed_succeeds/errors_on_closed_channel_*, has_changed_errors_* ----

    @Test
    void changedSucceedsOnAClosedChannelWithAnUnseenValue() {
        Watch.Channel<String> ch = Watch.channel("A");
        ch.sender().send("B");
        ch.sender().close();
        now(ch.receiver().changed());
    }

    @Test
    void changedFailsOnAClosedChannelWithASeenValue() {
        Watch.Channel<String> ch = Watch.channel("A");
        ch.sender().close();
        ClosedException e = (ClosedException) failure(ch.receiver().changed());
        assertEquals(
                "Watch.Receiver.changed: the channel was closed (every Sender is gone) and the"
                        + " current value was seen",
                e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void hasChangedFailsOnAClosedChannelEvenWithAnUnseenValue() {
        Watch.Channel<String> ch = Watch.channel("A");
        ch.sender().send("B");
        ch.sender().close();
        ClosedException e = assertThrows(ClosedException.class, ch.receiver()::hasChanged);
        assertEquals(
                "Watch.Receiver.hasChanged: the channel was closed (every Sender is gone)",
                e.getMessage());
    }

    @Test
    void hasChangedFailsOnAClosedChannelWithASeenValue() {
        Watch.Channel<String> ch = Watch.channel("A");
        ch.sender().close();
        assertThrows(ClosedException.class, ch.receiver()::hasChanged);
    }

    // ---- tokio: wait_for_errors_on_closed_channel_true_predicate; waitFor ----

    @Test
    void waitForMatchesTheFinalValueOfAClosedChannel() {
        Watch.Channel<String> ch = Watch.channel("A");
        ch.sender().send("B");
        ch.sender().close();
        Watch.Ref<String> r = now(ch.receiver().waitFor(v -> true));
        assertEquals("B", r.get());
        assertTrue(r.hasChanged());
        assertInstanceOf(ClosedException.class, failure(ch.receiver().changed()));
    }

    @Test
    void waitForChecksTheCurrentValueFirstAndMarksItSeen() {
        Watch.Channel<Integer> ch = Watch.channel(5);
        Watch.Receiver<Integer> rx = ch.receiver();
        Watch.Ref<Integer> r = now(rx.waitFor(v -> v == 5));
        assertEquals(5, r.get());
        assertFalse(r.hasChanged()); // seen already
        ch.sender().send(6);
        r = now(rx.waitFor(v -> v == 6));
        assertTrue(r.hasChanged());
        assertFalse(rx.hasChanged()); // marked
    }

    @Test
    void waitForWaitsForAMatchAndMarksOnlyIt() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx = ch.sender();
        Watch.Receiver<Integer> rx = ch.receiver();
        List<Integer> tested = new ArrayList<>();
        CompletableFuture<Watch.Ref<Integer>> f =
                rx.waitFor(
                        v -> {
                            tested.add(v);
                            return v >= 3;
                        });
        tx.send(1);
        tx.send(2);
        pending(f);
        assertTrue(rx.borrow().hasChanged()); // non-matching values are not marked
        tx.send(3);
        Watch.Ref<Integer> r = now(f);
        assertEquals(3, r.get());
        assertTrue(r.hasChanged());
        assertEquals(List.of(0, 1, 2, 3), tested);
        assertFalse(rx.hasChanged());
        tx.send(4);
        assertTrue(rx.hasChanged());
        assertEquals(0, Watch.queuedWaiters(tx));
    }

    @Test
    void waitForFailsWhenClosedWithoutAMatch() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        CompletableFuture<Watch.Ref<Integer>> f = ch.receiver().waitFor(v -> v == 9);
        ch.sender().send(1);
        pending(f);
        ch.sender().close();
        ClosedException e = (ClosedException) failure(f);
        assertEquals(
                "Watch.Receiver.waitFor: the channel was closed (every Sender is gone) and the"
                        + " current value was seen",
                e.getMessage());
    }

    @Test
    void waitForEvaluatesAFinalValueStoredBeforeTheClose() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        CompletableFuture<Watch.Ref<Integer>> f = ch.receiver().waitFor(v -> v == 9);
        Watch.Sender<Integer> tx = ch.sender();
        tx.sendModify(v -> 9); // under the writer lock; completes f
        tx.close();
        assertEquals(9, now(f).get());
    }

    @Test
    void waitForWhosePredicateThrowsFails() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(
                boom,
                failure(
                        ch.receiver()
                                .waitFor(
                                        v -> {
                                            throw boom;
                                        })));
        CompletableFuture<Watch.Ref<Integer>> f =
                ch.receiver()
                        .waitFor(
                                v -> {
                                    if (v == 1) {
                                        throw boom;
                                    }
                                    return false;
                                });
        ch.sender().send(1);
        assertSame(boom, failure(f));
        assertTrue(ch.receiver().hasChanged()); // nothing marked
    }

    @Test
    void cancelledWaitForMarksNothing() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx = ch.sender();
        Watch.Receiver<Integer> rx = ch.receiver();
        CompletableFuture<Watch.Ref<Integer>> f = rx.waitFor(v -> v == 2);
        tx.send(1);
        assertTrue(f.cancel(false));
        assertEquals(0, Watch.queuedWaiters(tx));
        tx.send(2);
        assertTrue(rx.hasChanged());
        // an outside completion with some other Ref does not mark either
        CompletableFuture<Watch.Ref<Integer>> g = rx.waitFor(v -> v == 3);
        assertTrue(g.complete(tx.borrow()));
        assertTrue(rx.hasChanged());
        assertEquals(0, Watch.queuedWaiters(tx));
    }

    @Test
    void waitForCompletedByOrTimeoutWithdraws() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        CompletableFuture<Watch.Ref<Integer>> f =
                ch.receiver().waitFor(v -> v == 1).orTimeout(1, TimeUnit.MILLISECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> Race.await(f));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
        now(ch.receiver().waitFor(v -> v == 0)); // the receiver is free again
    }

    // ---- cancellation of changed() ----

    @Test
    void cancelledChangedConsumesNothing() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        CompletableFuture<Void> f = rx.changed();
        assertTrue(f.cancel(false));
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
        ch.sender().send(1);
        assertTrue(rx.hasChanged());
        now(rx.changed());
    }

    @Test
    void closingTheReceiverCancelsItsPendingWait() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver().clone();
        CompletableFuture<Void> f = rx.changed();
        rx.close();
        assertTrue(f.isCancelled());
        Watch.Receiver<Integer> rx2 = ch.receiver().clone();
        CompletableFuture<Watch.Ref<Integer>> g = rx2.waitFor(v -> v == 1);
        rx2.close();
        assertTrue(g.isCancelled());
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
        assertEquals(1, ch.sender().receiverCount());
    }

    @Test
    void cancelledSenderClosedWithdraws() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        CompletableFuture<Void> f = ch.sender().closed();
        assertEquals(1, Watch.queuedWaiters(ch.sender()));
        assertTrue(f.cancel(false));
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
    }

    @Test
    void cloneKeepsTheVersion() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        Watch.Receiver<Integer> unseen = rx.clone();
        rx.borrowAndUpdate();
        Watch.Receiver<Integer> seen = rx.clone();
        assertTrue(unseen.hasChanged());
        assertFalse(seen.hasChanged());
        assertTrue(seen.sameChannel(unseen));
        assertFalse(seen.sameChannel(Watch.channel(0).receiver()));
        assertEquals(3, ch.sender().receiverCount());
    }

    // ---- close with a cause ----

    @Test
    void closeChannelReportsTheUnseenFinalValueThenTheCause() {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Sender<String> tx = ch.sender();
        Watch.Sender<String> other = tx.clone();
        Watch.Receiver<String> rx = ch.receiver();
        CompletableFuture<Void> closed = other.closed();
        tx.send("B");
        IllegalStateException cause = new IllegalStateException("upstream failed");
        assertTrue(tx.closeChannel(cause));
        assertEquals(1, other.senderCount()); // this handle closed too
        now(closed);
        assertTrue(other.isClosed());

        now(rx.changed()); // the unseen final value first
        assertEquals("B", rx.borrowAndUpdate().get());
        ClosedException e = (ClosedException) failure(rx.changed());
        assertSame(cause, e.getCause());
        assertEquals(
                "Watch.Receiver.changed: the channel was closed by closeChannel and the current"
                        + " value was seen",
                e.getMessage());
        assertSame(cause, assertThrows(ClosedException.class, rx::hasChanged).getCause());
        assertSame(cause, ((ClosedException) failure(rx.waitFor(v -> v.equals("C")))).getCause());
        assertEquals("B", now(rx.waitFor(v -> v.equals("B"))).get());

        ClosedException send = assertThrows(ClosedException.class, () -> other.send("C"));
        assertSame(cause, send.getCause());
        assertEquals(
                "Watch.Sender.send: the channel was closed by closeChannel; the value was not stored",
                send.getMessage());
        assertSame(
                cause,
                assertThrows(ClosedException.class, () -> other.sendReplace("C")).getCause());
        assertThrows(ClosedException.class, () -> other.sendModify(v -> "C"));
        assertThrows(ClosedException.class, () -> other.sendIfModified(v -> true));
        assertEquals("B", other.borrow().get());

        assertFalse(other.closeChannel(new RuntimeException("ignored")));
        assertEquals(0, other.senderCount());
    }

    @Test
    void closeChannelFailsPendingWaitsWithTheCause() throws Exception {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Receiver<String> rx = ch.receiver();
        Watch.Receiver<String> rx2 = rx.clone();
        CompletableFuture<Void> changed = rx.changed();
        CompletableFuture<Watch.Ref<String>> waitFor = rx2.waitFor(v -> v.equals("Z"));
        RuntimeException cause = new RuntimeException("gone");
        Future<Throwable> blocked =
                pool.submit(
                        () -> {
                            Watch.Receiver<String> rx3 = ch.sender().subscribe();
                            try {
                                rx3.blockingChanged();
                                return null;
                            } catch (ClosedException e) {
                                return e.getCause();
                            }
                        });
        Race.awaitTrue(() -> Watch.queuedWaiters(ch.sender()) == 3);
        ch.sender().closeChannel(cause);
        assertSame(cause, failure(changed).getCause());
        assertSame(cause, failure(waitFor).getCause());
        assertSame(cause, blocked.get(10, TimeUnit.SECONDS));
    }

    @Test
    void subscribeAfterCloseChannelDoesNotReopen() {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Sender<String> tx = ch.sender();
        Watch.Sender<String> other = tx.clone();
        tx.closeChannel(new RuntimeException("x"));
        Watch.Receiver<String> rx = other.subscribe();
        assertTrue(other.isClosed());
        assertInstanceOf(ClosedException.class, failure(rx.changed()));
    }

    // ---- blocking forms ----

    @Test
    void blockingChangedReturnsOnASend() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        CountDownLatch started = new CountDownLatch(1);
        Future<Integer> f =
                pool.submit(
                        () -> {
                            started.countDown();
                            rx.blockingChanged();
                            return rx.borrowAndUpdate().get();
                        });
        started.await();
        Race.awaitTrue(() -> Watch.queuedWaiters(ch.sender()) == 1);
        ch.sender().send(1);
        assertEquals(1, f.get(10, TimeUnit.SECONDS));
    }

    @Test
    void blockingChangedReturnsAtOnceWithNewsAndThrowsWhenClosed() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        rx.blockingChanged();
        assertFalse(rx.blockingChanged(Duration.ZERO), "the first call marked 1 seen");
        ch.sender().send(2);
        assertTrue(rx.blockingChanged(Duration.ZERO));
        assertFalse(rx.blockingChanged(Duration.ZERO));
        assertEquals(2, rx.borrow().get());
        ch.sender().close();
        assertThrows(ClosedException.class, rx::blockingChanged);
        assertThrows(ClosedException.class, () -> rx.blockingChanged(Duration.ofMillis(1)));
    }

    @Test
    void blockingChangedTimesOut() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        assertFalse(ch.receiver().blockingChanged(Duration.ofMillis(20)));
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
        ch.sender().send(1);
        assertTrue(ch.receiver().blockingChanged(Duration.ofSeconds(10)));
    }

    @Test
    void blockingChangedInterruptedWithdrawsAndChangesNothing() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        Future<Boolean> f =
                pool.submit(
                        () -> {
                            waiter.set(Thread.currentThread());
                            try {
                                rx.blockingChanged();
                                return false;
                            } catch (InterruptedException e) {
                                return true;
                            }
                        });
        Race.awaitTrue(() -> Watch.queuedWaiters(ch.sender()) == 1);
        waiter.get().interrupt();
        assertTrue(f.get(10, TimeUnit.SECONDS));
        assertEquals(0, Watch.queuedWaiters(ch.sender()));
        assertFalse(rx.hasChanged());
        ch.sender().send(1);
        now(rx.changed()); // the receiver is free again
    }

    @Test
    void blockingCallOnAnInterruptedThreadThrowsAtOnce() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        ch.sender().send(1);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> ch.receiver().blockingChanged());
        assertFalse(Thread.interrupted());
        assertTrue(ch.receiver().hasChanged());
    }

    @Test
    void blockingWaitFor() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Sender<Integer> tx = ch.sender();
        Watch.Receiver<Integer> rx = ch.receiver();
        assertEquals(0, rx.blockingWaitFor(v -> v == 0).get());
        assertNull(rx.blockingWaitFor(v -> v == 5, Duration.ofMillis(20)));
        Future<Watch.Ref<Integer>> f = pool.submit(() -> rx.blockingWaitFor(v -> v >= 3));
        for (int i = 1; i <= 3; i++) {
            Race.awaitTrue(() -> Watch.queuedWaiters(tx) == 1);
            tx.send(i);
        }
        Watch.Ref<Integer> r = f.get(10, TimeUnit.SECONDS);
        assertEquals(3, r.get());
        assertTrue(r.hasChanged());
        assertFalse(rx.hasChanged());
        tx.close();
        assertEquals(3, rx.blockingWaitFor(v -> v == 3).get());
        assertThrows(ClosedException.class, () -> rx.blockingWaitFor(v -> v == 4));
    }

    @Test
    void blockingWaitForInterruptedMarksNothing() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        AtomicReference<Thread> waiter = new AtomicReference<>();
        Future<Boolean> f =
                pool.submit(
                        () -> {
                            waiter.set(Thread.currentThread());
                            try {
                                rx.blockingWaitFor(v -> v == 7);
                                return false;
                            } catch (InterruptedException e) {
                                return true;
                            }
                        });
        Race.awaitTrue(() -> Watch.queuedWaiters(ch.sender()) == 1);
        waiter.get().interrupt();
        assertTrue(f.get(10, TimeUnit.SECONDS));
        assertTrue(rx.hasChanged()); // the non-matching 1 was not marked
    }

    // ---- completion thread and deep chains ----

    @Test
    void changedCompletesOnTheSendingThread() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        AtomicReference<Thread> ran = new AtomicReference<>();
        CompletableFuture<Void> f =
                ch.receiver().changed().thenRun(() -> ran.set(Thread.currentThread()));
        ch.sender().send(1);
        now(f);
        assertSame(Thread.currentThread(), ran.get());
    }

    @Test
    void pingPongBetweenTwoChannelsDoesNotGrowTheStack() throws Exception {
        int rounds = 200_000;
        Watch.Channel<Integer> ping = Watch.channel(0);
        Watch.Channel<Integer> pong = Watch.channel(0);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        AtomicInteger count = new AtomicInteger();
        Runnable[] serve = new Runnable[2];
        serve[0] =
                () ->
                        ping.receiver()
                                .changed()
                                .thenRun(
                                        () -> {
                                            int v = ping.receiver().borrowAndUpdate().get();
                                            serve[0].run();
                                            pong.sender().send(v);
                                        });
        serve[1] =
                () ->
                        pong.receiver()
                                .changed()
                                .thenRun(
                                        () -> {
                                            int v = pong.receiver().borrowAndUpdate().get();
                                            if (count.incrementAndGet() == rounds) {
                                                done.complete(v);
                                                return;
                                            }
                                            serve[1].run();
                                            ping.sender().send(v + 1);
                                        });
        serve[0].run();
        serve[1].run();
        ping.sender().send(1);
        assertEquals(rounds, Race.await(done));
    }

    @Test
    void toStrings() {
        Watch.Channel<String> ch = Watch.channel("A");
        assertEquals("Watch.Sender[A, receivers=1]", ch.sender().toString());
        assertEquals("Watch.Receiver[A]", ch.receiver().toString());
        ch.sender().send("B");
        assertEquals("Watch.Receiver[B, changed]", ch.receiver().toString());
        assertEquals("Watch.Ref[B, changed]", ch.receiver().borrow().toString());
    }

    @Test
    void cancelOfADependentDoesNotReachTheSource() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        CompletableFuture<Void> f = ch.receiver().changed();
        CompletableFuture<Void> dependent = f.thenRun(() -> {});
        dependent.cancel(false);
        pending(f);
        assertEquals(1, Watch.queuedWaiters(ch.sender()));
        ch.sender().send(1);
        now(f);
        assertThrows(CancellationException.class, dependent::join);
    }
}
