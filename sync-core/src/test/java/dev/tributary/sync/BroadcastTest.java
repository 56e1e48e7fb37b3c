package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tests of {@link Broadcast}. Ports the behaviours of tokio's {@code tokio/tests/sync_broadcast.rs}
 * (every test there except {@code panic_in_clone} and {@code receiver_recv_is_cooperative}, which
 * have no Java counterpart; {@code change_tasks} and {@code send_in_waker_drop} are adapted) and
 * the two unit tests at the end of {@code tokio/src/sync/broadcast.rs}; plus closing with a cause,
 * cancellation, the blocking forms (interrupt, timeout), weak senders and trampolined completion.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastTest {

    // ---- helpers (tokio's assert_recv!, assert_empty!, assert_lagged!, assert_closed!) ----

    private static <T> T assertRecv(Broadcast.Receiver<T> rx) {
        T v = rx.tryRecv();
        assertNotNull(v, "expected a value but the receiver was empty");
        return v;
    }

    private static void assertEmpty(Broadcast.Receiver<?> rx) {
        assertNull(rx.tryRecv());
    }

    private static void assertLagged(Broadcast.Receiver<?> rx, long n) {
        LaggedException e = assertThrows(LaggedException.class, rx::tryRecv);
        assertEquals(n, e.missed());
    }

    private static void assertClosed(Broadcast.Receiver<?> rx) {
        assertThrows(ClosedException.class, rx::tryRecv);
    }

    /** Returns the value of a future that must already be complete. */
    private static <T> T now(CompletableFuture<T> f) {
        assertTrue(f.isDone(), "expected a complete future but it was " + f);
        return f.join();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "expected a failed future but it was " + f);
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return e.getCause();
    }

    // ---- tokio: send_try_recv_bounded, send_two_recv ----

    @Test
    void sendTryRecvBounded() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        assertEmpty(ch.receiver());
        assertEquals(1, ch.sender().send("hello"));
        assertEquals("hello", assertRecv(ch.receiver()));
        assertEmpty(ch.receiver());
    }

    @Test
    void sendTwoRecv() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        Broadcast.Receiver<String> rx2 = ch.sender().subscribe();
        assertEmpty(ch.receiver());
        assertEmpty(rx2);
        assertEquals(2, ch.sender().send("hello"));
        assertEquals("hello", assertRecv(ch.receiver()));
        assertEquals("hello", assertRecv(rx2));
        assertEmpty(ch.receiver());
        assertEmpty(rx2);
    }

    // ---- tokio: send_recv_bounded, send_two_recv_bounded, change_tasks ----

    @Test
    void sendRecvBounded() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        assertEquals(1, ch.sender().waitingReceivers());
        ch.sender().send("hello");
        assertEquals("hello", now(recv));
        assertEquals(0, ch.sender().waitingReceivers());
    }

    @Test
    void sendTwoRecvBounded() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        Broadcast.Receiver<String> rx1 = ch.receiver();
        Broadcast.Receiver<String> rx2 = ch.sender().subscribe();
        CompletableFuture<String> recv1 = rx1.recv();
        CompletableFuture<String> recv2 = rx2.recv();
        assertFalse(recv1.isDone());
        assertFalse(recv2.isDone());
        ch.sender().send("hello");
        assertEquals("hello", now(recv1));
        assertEquals("hello", now(recv2));

        recv1 = rx1.recv();
        assertFalse(recv1.isDone());
        ch.sender().send("world");
        assertEquals("world", now(recv1));
        assertEquals("world", now(rx2.recv())); // rx2 was not waiting: finds the value at once
    }

    @Test
    void changeTasksTheLatestCallerIsCompleted() {
        // tokio re-polls one Recv from two tasks and wakes the latest; here one pending recv is
        // shared by whoever holds its future, and a second concurrent recv is refused.
        Broadcast.Channel<String> ch = Broadcast.channel(1);
        CompletableFuture<String> recv = ch.receiver().recv();
        CompletableFuture<String> second = recv.thenApply(s -> s + "!");
        ch.sender().send("hello");
        assertEquals("hello", now(recv));
        assertEquals("hello!", now(second));
    }

    // ---- tokio: send_slow_rx ----

    @Test
    void sendSlowRx() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        Broadcast.Receiver<String> rx1 = ch.receiver();
        Broadcast.Receiver<String> rx2 = ch.sender().subscribe();
        CompletableFuture<String> recv2 = rx2.recv();
        CompletableFuture<String> recv1 = rx1.recv();
        ch.sender().send("one");
        ch.sender().send("two");
        assertEquals("one", now(recv1));
        assertEquals("two", now(rx1.recv()));
        recv1 = rx1.recv();
        assertFalse(recv1.isDone());
        ch.sender().send("three");
        assertEquals("three", now(recv1));
        assertEquals("one", now(recv2));
        assertEquals("two", assertRecv(rx2));
        assertEquals("three", assertRecv(rx2));
    }

    // ---- tokio: drop_rx_while_values_remain, unconsumed_messages_are_dropped ----

    @Test
    void closeRxWhileValuesRemain() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        Broadcast.Receiver<String> rx2 = ch.sender().subscribe();
        ch.sender().send("one");
        ch.sender().send("two");
        assertRecv(ch.receiver());
        assertRecv(rx2);
        assertEquals(1, ch.sender().len());
        rx2.close();
        assertEquals(1, ch.sender().len());
        ch.receiver().close();
        assertEquals(0, ch.sender().len());
        assertEquals(0, ch.sender().receiverCount());
    }

    @Test
    void unconsumedValuesCountAsReadOnceTheReceiverCloses() {
        // tokio drops the value at this point; here it stays referenced until overwritten (see
        // the class javadoc), but it no longer counts as queued.
        Broadcast.Channel<Object> ch = Broadcast.channel(16);
        ch.sender().send(new Object());
        assertEquals(1, ch.sender().len());
        ch.receiver().close();
        assertEquals(0, ch.sender().len());
        assertTrue(ch.sender().isEmpty());
    }

    // ---- tokio: lagging_rx, send_no_rx ----

    @Test
    void laggingRx() {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Broadcast.Sender<String> tx = ch.sender();
        Broadcast.Receiver<String> rx1 = ch.receiver();
        Broadcast.Receiver<String> rx2 = tx.subscribe();
        tx.send("one");
        tx.send("two");
        assertEquals("one", assertRecv(rx1));
        tx.send("three");
        assertLagged(rx2, 1);
        assertEquals("two", assertRecv(rx2));
        assertEquals("two", assertRecv(rx1));
        assertEquals("three", assertRecv(rx1));
        tx.send("four");
        tx.send("five");
        assertLagged(rx2, 1);
        tx.send("six");
        assertLagged(rx2, 1);
    }

    @Test
    void sendNoRx() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        ch.receiver().close();
        ClosedException e = assertThrows(ClosedException.class, () -> ch.sender().send("hello"));
        assertEquals("cannot send: the broadcast channel has no receivers", e.getMessage());
        Broadcast.Receiver<String> rx = ch.sender().subscribe();
        assertEquals(1, ch.sender().send("world"));
        assertEquals("world", assertRecv(rx));
    }

    // ---- tokio: zero_capacity, capacity_too_big ----

    @Test
    void capacityBounds() {
        assertThrows(IllegalArgumentException.class, () -> Broadcast.channel(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> Broadcast.channel(Broadcast.MAX_CAPACITY + 1));
    }

    // ---- tokio: dropping_tx_notifies_rx ----

    @Test
    void closingTheLastSenderEndsWaitingReceivers() {
        Broadcast.Channel<String> ch = Broadcast.channel(16);
        Broadcast.Receiver<String> rx2 = ch.sender().subscribe();
        Broadcast.Sender<String> tx2 = ch.sender().clone();
        CompletableFuture<String> recv1 = ch.receiver().recv();
        CompletableFuture<String> recv2 = rx2.recv();
        ch.sender().close();
        assertFalse(recv1.isDone());
        assertFalse(recv2.isDone());
        tx2.close();
        assertNull(now(recv1));
        assertNull(now(recv2));
        assertClosed(ch.receiver());
        assertTrue(rx2.isClosed());
    }

    // ---- tokio: single_capacity_recvs, single_capacity_recvs_after_drop_1/2 ----

    @Test
    void singleCapacityRecvs() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(1);
        ch.sender().send(1);
        assertEquals(1, assertRecv(ch.receiver()));
        assertEmpty(ch.receiver());
    }

    @Test
    void singleCapacityRecvsAfterClose1() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(1);
        ch.sender().send(1);
        ch.sender().close();
        assertEquals(1, assertRecv(ch.receiver()));
        assertClosed(ch.receiver());
    }

    @Test
    void singleCapacityRecvsAfterClose2() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(1);
        ch.sender().send(1);
        ch.sender().send(2);
        ch.sender().close();
        assertLagged(ch.receiver(), 1);
        assertEquals(2, assertRecv(ch.receiver()));
        assertClosed(ch.receiver());
    }

    // ---- tokio: dropping_sender_does_not_overwrite, lagging_receiver_recovers_after_wrap_* ----

    @Test
    void closingTheSenderDoesNotOverwrite() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        ch.sender().send(1);
        ch.sender().send(2);
        ch.sender().close();
        assertEquals(1, assertRecv(ch.receiver()));
        assertEquals(2, assertRecv(ch.receiver()));
        assertClosed(ch.receiver());
    }

    @Test
    void laggingReceiverRecoversAfterWrapClosed1() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        for (int i = 1; i <= 3; i++) {
            ch.sender().send(i);
        }
        ch.sender().close();
        assertLagged(ch.receiver(), 1);
        assertEquals(2, assertRecv(ch.receiver()));
        assertEquals(3, assertRecv(ch.receiver()));
        assertClosed(ch.receiver());
    }

    @Test
    void laggingReceiverRecoversAfterWrapClosed2() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        for (int i = 1; i <= 4; i++) {
            ch.sender().send(i);
        }
        ch.sender().close();
        assertLagged(ch.receiver(), 2);
        assertEquals(3, assertRecv(ch.receiver()));
        assertEquals(4, assertRecv(ch.receiver()));
        assertClosed(ch.receiver());
    }

    @Test
    void laggingReceiverRecoversAfterWrapOpen() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        for (int i = 1; i <= 3; i++) {
            ch.sender().send(i);
        }
        assertLagged(ch.receiver(), 1);
        assertEquals(2, assertRecv(ch.receiver()));
        assertEquals(3, assertRecv(ch.receiver()));
        assertEmpty(ch.receiver());
    }

    // ---- tokio: receiver_len_with_lagged ----

    @Test
    void receiverLenWithLagged() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(3);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int v = 10; v <= 40; v += 10) {
            ch.sender().send(v);
        }
        assertEquals(4, rx.len());
        assertEquals(10, assertRecv(rx));
        ch.sender().send(50);
        ch.sender().send(60);
        assertEquals(5, rx.len());
        assertLagged(rx, 1);
    }

    // ---- tokio: resubscribe_points_to_tail, resubscribe_lagged, resubscribe_to_closed_channel

    @Test
    void resubscribePointsToTail() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(3);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        Broadcast.Receiver<Integer> resub = rx.resubscribe();
        assertEmpty(resub);
        assertEquals(1, assertRecv(rx));
        ch.sender().send(2);
        assertEquals(2, assertRecv(resub));
        ch.sender().send(3);
        assertEquals(2, assertRecv(rx));
        assertEquals(3, assertRecv(rx));
        assertEmpty(rx);
        assertEquals(3, assertRecv(resub));
        assertEmpty(resub);
    }

    @Test
    void resubscribeLagged() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(1);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        ch.sender().send(2);
        Broadcast.Receiver<Integer> resub = rx.resubscribe();
        assertLagged(rx, 1);
        assertEmpty(resub);
        assertEquals(2, assertRecv(rx));
        assertEmpty(rx);
        assertEmpty(resub);
    }

    @Test
    void resubscribeToClosedChannel() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        ch.sender().close();
        Broadcast.Receiver<Integer> resub = ch.receiver().resubscribe();
        assertClosed(resub);
        assertNull(now(resub.recv()));
    }

    // ---- tokio: sender_len, sender_len_random ----

    @Test
    void senderLen() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx = ch.sender();
        Broadcast.Receiver<Integer> rx1 = ch.receiver();
        Broadcast.Receiver<Integer> rx2 = tx.subscribe();
        assertEquals(0, tx.len());
        assertTrue(tx.isEmpty());
        tx.send(1);
        tx.send(2);
        tx.send(3);
        assertEquals(3, tx.len());
        assertFalse(tx.isEmpty());
        assertRecv(rx1);
        assertRecv(rx1);
        assertEquals(3, tx.len());
        assertFalse(tx.isEmpty());
        assertRecv(rx2);
        assertEquals(2, tx.len());
        assertFalse(tx.isEmpty());
        tx.send(4);
        tx.send(5);
        tx.send(6);
        assertEquals(4, tx.len());
        assertFalse(tx.isEmpty());
    }

    @Test
    void senderLenRandom() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(16);
        Broadcast.Sender<Integer> tx = ch.sender();
        Broadcast.Receiver<Integer> rx1 = ch.receiver();
        Broadcast.Receiver<Integer> rx2 = tx.subscribe();
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            switch (random.nextInt(4)) {
                case 0:
                    tryRecvIgnoringLag(rx1);
                    break;
                case 1:
                    tryRecvIgnoringLag(rx2);
                    break;
                default:
                    tx.send(0);
            }
            int expected = Math.min(Math.max(rx1.len(), rx2.len()), 16);
            assertEquals(expected, tx.len());
        }
    }

    private static void tryRecvIgnoringLag(Broadcast.Receiver<?> rx) {
        try {
            rx.tryRecv();
        } catch (LaggedException ignored) {
            // as tokio's `let _ = rx.try_recv()`
        }
    }

    // ---- tokio: send_in_waker_drop (adapted: sending from a completion does not deadlock) ----

    @Test
    void sendFromACompletionDoesNotDeadlock() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(16);
        Broadcast.Receiver<Integer> rx2 = ch.sender().subscribe();
        CompletableFuture<Integer> first = ch.receiver().recv();
        first.thenAccept(v -> ch.sender().send(v + 1));
        ch.sender().send(1);
        assertEquals(1, now(first));
        assertEquals(1, assertRecv(rx2));
        assertEquals(2, assertRecv(rx2));
        assertEquals(2, assertRecv(ch.receiver()));
    }

    // ---- tokio: broadcast_sender_closed, ..._with_extra_subscribe, ..._new_must_be_closed ----

    @Test
    void senderClosed() {
        Broadcast.Channel<Void> ch = Broadcast.channel(1);
        Broadcast.Receiver<Void> rx2 = ch.sender().subscribe();
        CompletableFuture<Void> closed = ch.sender().closed();
        assertFalse(closed.isDone());
        ch.receiver().close();
        assertFalse(closed.isDone());
        rx2.close();
        assertNull(now(closed));
    }

    @Test
    void senderClosedWithExtraSubscribe() {
        Broadcast.Channel<Void> ch = Broadcast.channel(1);
        Broadcast.Sender<Void> tx = ch.sender();
        Broadcast.Receiver<Void> rx2 = tx.subscribe();
        CompletableFuture<Void> closed = tx.closed();
        ch.receiver().close();
        assertFalse(closed.isDone());
        rx2.close();
        assertTrue(closed.isDone());
        // tokio re-polls the same future, which goes pending again after a subscribe; a
        // completed future stays complete here, and a new closed() waits for the new receiver.
        Broadcast.Receiver<Void> rx3 = tx.subscribe();
        CompletableFuture<Void> again = tx.closed();
        assertFalse(again.isDone());
        rx3.close();
        assertTrue(again.isDone());
        assertTrue(tx.closed().isDone());
        Broadcast.Receiver<Void> rx4 = tx.subscribe();
        CompletableFuture<Void> third = tx.closed();
        assertFalse(third.isDone());
        rx4.close();
        assertTrue(third.isDone());
    }

    @Test
    void senderWithoutReceiversIsClosed() {
        Broadcast.Sender<Void> tx = Broadcast.sender(1);
        assertTrue(tx.closed().isDone());
        assertEquals(0, tx.receiverCount());
        Broadcast.Receiver<Void> rx = tx.subscribe();
        assertFalse(tx.closed().isDone());
        rx.close();
    }

    @Test
    void closedIsCancelSafe() {
        Broadcast.Channel<Void> ch = Broadcast.channel(1);
        CompletableFuture<Void> closed = ch.sender().closed();
        assertTrue(closed.cancel(false));
        CompletableFuture<Void> other = ch.sender().closed();
        ch.receiver().close();
        assertNull(now(other));
    }

    // ---- tokio: the lagging-semantics tests added by PR #8239 ----

    @Test
    void slowReceiverWithinCapacityDoesNotLag() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> slow = ch.receiver();
        Broadcast.Receiver<Integer> fast = ch.sender().subscribe();
        ch.sender().send(1);
        ch.sender().send(2);
        assertEquals(1, assertRecv(fast));
        assertEquals(2, assertRecv(fast));
        assertEmpty(fast);
        assertEquals(1, assertRecv(slow));
        assertEquals(2, assertRecv(slow));
        assertEmpty(slow);
    }

    @Test
    void capacityOverflowReportsLaggedThenOldestRetained() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        ch.sender().send(10);
        ch.sender().send(20);
        ch.sender().send(30);
        assertLagged(ch.receiver(), 1);
        assertEquals(20, assertRecv(ch.receiver()));
        assertEquals(30, assertRecv(ch.receiver()));
        assertEmpty(ch.receiver());
    }

    @Test
    void laggedCountMatchesNumberOfOverwrittenMessages() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 1; i <= 4; i++) {
            ch.sender().send(i);
        }
        assertEquals(1, assertRecv(rx));
        for (int i = 5; i <= 8; i++) {
            ch.sender().send(i);
        }
        assertLagged(rx, 3);
        for (int i = 5; i <= 8; i++) {
            assertEquals(i, assertRecv(rx));
        }
        assertEmpty(rx);
    }

    @Test
    void lagUsesPowerOfTwoBufferLength() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(3);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 1; i <= 4; i++) {
            ch.sender().send(i);
        }
        assertEquals(4, rx.len());
        assertEquals(1, assertRecv(rx));
        ch.sender().send(5);
        assertEquals(4, rx.len());
        ch.sender().send(6);
        assertEquals(5, rx.len());
        assertLagged(rx, 1);
        for (int i = 3; i <= 6; i++) {
            assertEquals(i, assertRecv(rx));
        }
        assertEmpty(rx);
    }

    @Test
    void asyncRecvLaggedThenResumesFromOldestRetained() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(10);
        ch.sender().send(20);
        ch.sender().send(30);
        LaggedException e = assertInstanceOf(LaggedException.class, failure(rx.recv()));
        assertEquals(1, e.missed());
        assertEquals(
                "receiver lagged behind: 1 value was overwritten before it read them",
                e.getMessage());
        assertEquals(20, now(rx.recv()));
        assertEquals(30, now(rx.recv()));
    }

    @Test
    void lagCatchUpThenLagAgain() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 1; i <= 3; i++) {
            ch.sender().send(i);
        }
        assertLagged(rx, 1);
        assertEquals(2, assertRecv(rx));
        assertEquals(3, assertRecv(rx));
        assertEmpty(rx);
        for (int i = 4; i <= 6; i++) {
            ch.sender().send(i);
        }
        assertLagged(rx, 1);
        assertEquals(5, assertRecv(rx));
        assertEquals(6, assertRecv(rx));
        assertEmpty(rx);
    }

    @Test
    void lagIsPerReceiver() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> slow = ch.receiver();
        Broadcast.Receiver<Integer> fast = ch.sender().subscribe();
        ch.sender().send(1);
        ch.sender().send(2);
        assertEquals(1, assertRecv(fast));
        assertEquals(2, assertRecv(fast));
        ch.sender().send(3);
        ch.sender().send(4);
        assertEquals(3, assertRecv(fast));
        assertEquals(4, assertRecv(fast));
        assertLagged(slow, 2);
        assertEquals(3, assertRecv(slow));
        assertEquals(4, assertRecv(slow));
        assertEmpty(slow);
        assertEmpty(fast);
    }

    @Test
    void lagAgainBeforeReadingRetainedMessages() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 1; i <= 3; i++) {
            ch.sender().send(i);
        }
        assertLagged(rx, 1);
        for (int i = 4; i <= 6; i++) {
            ch.sender().send(i);
        }
        assertLagged(rx, 3);
        assertEquals(5, assertRecv(rx));
        assertEquals(6, assertRecv(rx));
        assertEmpty(rx);
    }

    @Test
    void singleSlotCapacityLagSemantics() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(1);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        assertEquals(1, assertRecv(rx));
        ch.sender().send(2);
        ch.sender().send(3);
        assertLagged(rx, 1);
        assertEquals(3, assertRecv(rx));
        assertEmpty(rx);
    }

    @Test
    void receiverLenAfterLagErrorAdvancesCursor() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 1; i <= 4; i++) {
            ch.sender().send(i);
        }
        assertEquals(4, rx.len());
        assertLagged(rx, 2);
        assertEquals(2, rx.len());
        assertEquals(3, assertRecv(rx));
        assertEquals(1, rx.len());
        assertEquals(4, assertRecv(rx));
        assertEquals(0, rx.len());
        assertTrue(rx.isEmpty());
    }

    // ---- tokio (broadcast.rs unit tests): receiver_count_on_sender/channel_constructor ----

    @Test
    void receiverCountOnSenderConstructor() {
        Broadcast.Sender<Integer> tx = Broadcast.sender(16);
        assertEquals(0, tx.receiverCount());
        Broadcast.Receiver<Integer> rx1 = tx.subscribe();
        assertEquals(1, tx.receiverCount());
        Broadcast.Receiver<Integer> rx2 = rx1.resubscribe();
        assertEquals(2, tx.receiverCount());
        Broadcast.Receiver<Integer> rx3 = tx.subscribe();
        assertEquals(3, tx.receiverCount());
        rx3.close();
        rx1.close();
        assertEquals(1, tx.receiverCount());
        rx2.close();
        assertEquals(0, tx.receiverCount());
    }

    @Test
    void receiverCountOnChannelConstructor() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(16);
        assertEquals(1, ch.sender().receiverCount());
        ch.receiver().resubscribe();
        assertEquals(2, ch.sender().receiverCount());
    }

    // ---- senders: clone, weak handles, counts, sameChannel ----

    @Test
    void cloneAndWeakSenders() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx = ch.sender();
        Broadcast.Sender<Integer> tx2 = tx.clone();
        assertEquals(2, tx.strongCount());
        Broadcast.WeakSender<Integer> weak = tx.downgrade();
        Broadcast.WeakSender<Integer> weak2 = weak.clone();
        assertEquals(2, weak.weakCount());
        assertEquals(2, ch.receiver().senderWeakCount());
        Broadcast.Sender<Integer> up = weak.upgrade();
        assertNotNull(up);
        assertEquals(3, weak.strongCount());
        assertTrue(up.sameChannel(tx));
        assertFalse(tx.sameChannel(Broadcast.<Integer>channel(1).sender()));
        up.close();
        tx.close();
        tx.close(); // idempotent
        assertEquals(1, ch.receiver().senderStrongCount());
        assertFalse(ch.receiver().isClosed());
        tx2.close();
        assertTrue(ch.receiver().isClosed());
        assertNull(weak.upgrade());
        weak2.close();
        assertEquals(1, weak.weakCount());
        assertTrue(ch.receiver().sameChannel(ch.receiver().resubscribe()));
    }

    // ---- close with a cause ----

    @Test
    void closeWithCauseDrainsThenFailsWithTheCause() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx2 = ch.sender().clone();
        Broadcast.Receiver<Integer> rx = ch.receiver();
        ch.sender().send(1);
        ch.sender().send(2);
        IllegalStateException cause = new IllegalStateException("upstream failed");
        assertTrue(ch.sender().closeChannel(cause));
        assertFalse(tx2.closeChannel(new RuntimeException("ignored")));
        assertTrue(rx.isClosed());
        IllegalStateException sendFailure =
                assertThrows(IllegalStateException.class, () -> ch.sender().downgrade());
        assertEquals("this Broadcast.Sender handle was closed", sendFailure.getMessage());
        assertEquals(1, assertRecv(rx));
        assertEquals(2, now(rx.recv()));
        ClosedException end = assertThrows(ClosedException.class, rx::tryRecv);
        assertSame(cause, end.getCause());
        assertSame(cause, failure(rx.recv()).getCause());
        assertSame(cause, failure(rx.recv()).getCause());
    }

    @Test
    void closeWithCauseCompletesWaitingReceiversAndFailsSends() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx2 = ch.sender().clone();
        CompletableFuture<Integer> waiting = ch.receiver().recv();
        Exception cause = new Exception("boom");
        assertTrue(ch.sender().closeChannel(cause));
        assertSame(cause, failure(waiting).getCause());
        ClosedException e = assertThrows(ClosedException.class, () -> tx2.send(1));
        assertSame(cause, e.getCause());
        assertEquals("cannot send: the broadcast channel was closed", e.getMessage());
        assertEquals(1, tx2.strongCount());
        ClosedException blocking =
                assertThrows(ClosedException.class, () -> ch.receiver().blockingRecv());
        assertSame(cause, blocking.getCause());
    }

    // ---- cancellation ----

    @Test
    void cancelledRecvConsumesNothing() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        CompletableFuture<Integer> recv = rx.recv();
        assertTrue(recv.cancel(false));
        assertEquals(0, ch.sender().waitingReceivers());
        ch.sender().send(7);
        assertEquals(7, now(rx.recv()));
    }

    @Test
    void recvTimeoutWithdraws() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        CompletableFuture<Integer> recv = rx.recv().orTimeout(10, TimeUnit.MILLISECONDS);
        Throwable t = assertThrows(Exception.class, () -> recv.get(10, TimeUnit.SECONDS));
        assertInstanceOf(java.util.concurrent.TimeoutException.class, t.getCause());
        Race.awaitTrue(() -> ch.sender().waitingReceivers() == 0);
        ch.sender().send(8);
        assertEquals(8, assertRecv(rx));
    }

    @Test
    void completionCanReceiveAgain() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        AtomicReference<Integer> second = new AtomicReference<>();
        CompletableFuture<Integer> first = rx.recv();
        first.thenAccept(v -> second.set(rx.tryRecv()));
        ch.sender().send(1);
        assertEquals(1, now(first));
        assertNull(second.get()); // the cursor had already moved past 1
        ch.sender().send(2);
        assertEquals(2, now(rx.recv()));
    }

    @Test
    void closingAReceiverCancelsItsPendingRecv() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        CompletableFuture<Integer> recv = ch.receiver().recv();
        ch.receiver().close();
        assertTrue(recv.isCancelled());
        assertEquals(0, ch.sender().waitingReceivers());
        assertEquals(0, ch.sender().receiverCount());
    }

    // ---- blocking forms ----

    @Test
    void blockingRecvReturnsValuesLagAndEnd() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 1; i <= 3; i++) {
            ch.sender().send(i);
        }
        LaggedException e = assertThrows(LaggedException.class, rx::blockingRecv);
        assertEquals(1, e.missed());
        assertEquals(2, rx.blockingRecv());
        assertEquals(3, rx.blockingRecv(Duration.ZERO));
        ch.sender().close();
        assertNull(rx.blockingRecv());
        assertNull(rx.blockingRecv(Duration.ofMillis(5)));
        assertTrue(rx.isClosed() && rx.isEmpty());
    }

    @Test
    void blockingRecvWaitsForASend() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                got.complete(ch.receiver().blockingRecv());
                            } catch (Throwable ex) {
                                got.completeExceptionally(ex);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> ch.sender().waitingReceivers() == 1);
        ch.sender().send(5);
        assertEquals(5, Race.await(got));
        t.join();
    }

    @Test
    void blockingRecvTimesOutWithNull() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        assertNull(rx.blockingRecv(Duration.ofMillis(20)));
        assertNull(rx.blockingRecv(Duration.ZERO));
        assertEquals(0, ch.sender().waitingReceivers());
        assertFalse(rx.isClosed());
        ch.sender().send(4);
        assertEquals(4, rx.blockingRecv(Duration.ofMillis(20)));
    }

    @Test
    void interruptWithdrawsABlockingRecv() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                outcome.complete(ch.receiver().blockingRecv());
                            } catch (Throwable ex) {
                                outcome.complete(ex);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> ch.sender().waitingReceivers() == 1);
        t.interrupt();
        assertInstanceOf(InterruptedException.class, Race.await(outcome));
        t.join();
        assertEquals(0, ch.sender().waitingReceivers());
        ch.sender().send(6);
        assertEquals(6, assertRecv(ch.receiver())); // nothing was consumed
    }

    @Test
    void interruptedOnEntryThrows() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        ch.sender().send(1);
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, () -> ch.receiver().blockingRecv());
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, assertRecv(ch.receiver()));
    }

    // ---- trampolined completion ----

    /**
     * Every send completes a recv that is already waiting, so each round is one completion inside
     * the previous one: without the trampoline this dies of StackOverflowError.
     */
    @Test
    void pingPongBetweenTwoChannelsDoesNotGrowTheStack() {
        Broadcast.Channel<Integer> ping = Broadcast.channel(2);
        Broadcast.Channel<Integer> pong = Broadcast.channel(2);
        int rounds = 100_000;
        AtomicInteger received = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable[] loop = new Runnable[2];
        loop[0] =
                () ->
                        ping.receiver()
                                .recv()
                                .thenAccept(
                                        v -> {
                                            loop[0].run(); // wait again first, then reply
                                            pong.sender().send(v);
                                        });
        loop[1] =
                () ->
                        pong.receiver()
                                .recv()
                                .thenAccept(
                                        v -> {
                                            if (received.incrementAndGet() == rounds) {
                                                done.complete(null);
                                            } else {
                                                loop[1].run();
                                                ping.sender().send(v + 1);
                                            }
                                        });
        loop[0].run();
        loop[1].run();
        ping.sender().send(0);
        assertTrue(done.isDone());
        assertEquals(rounds, received.get());
    }

    // ---- positions wrap around (43-bit counters) ----

    /**
     * Runs one random sequence of operations on a channel whose positions start at 0 and on
     * channels whose positions wrap around during the run, and compares every outcome.
     */
    @Test
    void positionsWrapAroundTransparently() {
        long[] starts = {
            Broadcast.LAST_POSITION, Broadcast.LAST_POSITION - 3, Broadcast.LAST_POSITION - 40
        };
        for (int capacity : new int[] {1, 2, 4, 16}) {
            for (long start : starts) {
                Random random = new Random(capacity * 31L + start);
                long seed = random.nextLong();
                assertEquals(
                        script(Broadcast.channel(capacity), new Random(seed)),
                        script(Broadcast.channelStartingAt(capacity, start), new Random(seed)),
                        "capacity " + capacity + ", start " + start);
            }
        }
    }

    private static List<String> script(Broadcast.Channel<Integer> ch, Random random) {
        List<String> out = new ArrayList<>();
        Broadcast.Receiver<Integer> rx2 = null;
        for (int step = 0; step < 400; step++) {
            switch (random.nextInt(8)) {
                case 0:
                case 1:
                case 2:
                    out.add("send " + ch.sender().send(step));
                    break;
                case 3:
                    out.add("rx1 " + describe(ch.receiver()));
                    break;
                case 4:
                    out.add(rx2 == null ? "-" : "rx2 " + describe(rx2));
                    break;
                case 5:
                    if (rx2 == null) {
                        rx2 = ch.sender().subscribe();
                    } else {
                        rx2.close();
                        rx2 = null;
                    }
                    out.add("toggle");
                    break;
                case 6:
                    CompletableFuture<Integer> f = ch.receiver().recv();
                    if (f.cancel(false)) {
                        out.add("recv cancelled");
                    } else if (f.isCompletedExceptionally()) {
                        out.add("recv " + failure(f));
                    } else {
                        out.add("recv " + f.join());
                    }
                    break;
                default:
                    out.add(
                            "len "
                                    + ch.receiver().len()
                                    + " "
                                    + ch.sender().len()
                                    + " "
                                    + (rx2 == null ? -1 : rx2.len()));
            }
        }
        ch.sender().close();
        for (int i = 0; i < 40; i++) {
            out.add("drain " + describe(ch.receiver()));
        }
        return out;
    }

    private static String describe(Broadcast.Receiver<Integer> rx) {
        try {
            return String.valueOf(rx.tryRecv());
        } catch (LaggedException e) {
            return "lag " + e.missed();
        } catch (ClosedException e) {
            return "closed";
        }
    }

    @Test
    void manyReceiversSeeEveryValueInOrder() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(64);
        List<Broadcast.Receiver<Integer>> rxs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rxs.add(ch.sender().subscribe());
        }
        for (int v = 0; v < 50; v++) {
            assertEquals(11, ch.sender().send(v));
        }
        for (Broadcast.Receiver<Integer> rx : rxs) {
            for (int v = 0; v < 50; v++) {
                assertEquals(v, assertRecv(rx));
            }
            assertEmpty(rx);
        }
    }
}
