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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Behaviours of {@link Mpsc}, ported from tokio's {@code tokio/tests/sync_mpsc.rs}: tokio's "spawn
 * a future and poll it" becomes a returned future that is not yet done, "is woken" becomes "is
 * done" (completions run on the releasing thread, so they are visible at once), and dropping a
 * handle or a pending future becomes {@code close()} or {@code cancel()}. Plus the Java-only
 * contracts: close with a cause, blocking forms with timeouts and interrupts.
 */
@Timeout(60)
class MpscTest {

    private static <T> T join(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertTrue(f.isDone(), "future should be done");
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> f.get(0, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ---- send and receive ----------------------------------------------------------------------

    @Test
    void sendRecvWithBuffer() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(16);
        Mpsc.Sender<Integer> tx = ch.sender();
        Mpsc.Receiver<Integer> rx = ch.receiver();

        Mpsc.Permit<Integer> permit = join(tx.reserve());
        permit.send(1);
        assertTrue(tx.trySend(2));
        tx.close();

        assertEquals(1, join(rx.recv()));
        assertEquals(2, join(rx.recv()));
        assertNull(join(rx.recv()));
    }

    @Test
    void recvThatFindsAValueReturnsACompletedFuture() {
        Mpsc.Channel<String> ch = Mpsc.channel(4);
        ch.sender().trySend("a");
        CompletableFuture<String> f = ch.receiver().recv();
        assertTrue(f.isDone());
        assertEquals("a", f.join());
    }

    @Test
    void reserveDisarm() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Mpsc.Sender<Integer> tx1 = ch.sender();
        Mpsc.Sender<Integer> tx2 = tx1.clone();
        Mpsc.Sender<Integer> tx3 = tx1.clone();
        Mpsc.Sender<Integer> tx4 = tx1.clone();

        Mpsc.Permit<Integer> permit1 = join(tx1.reserve());
        Mpsc.Permit<Integer> permit2 = join(tx2.reserve());

        CompletableFuture<Mpsc.Permit<Integer>> r3 = tx3.reserve();
        CompletableFuture<Mpsc.Permit<Integer>> r4 = tx4.reserve();
        assertFalse(r3.isDone());
        assertFalse(r4.isDone());

        // Sending on a permit does not free the slot; receiving does.
        permit1.send(1);
        assertFalse(r3.isDone());
        assertEquals(1, join(ch.receiver().recv()));
        assertTrue(r3.isDone());
        assertFalse(r4.isDone());

        // Closing an unused permit frees its slot too.
        permit2.close();
        assertTrue(r4.isDone());

        CompletableFuture<Mpsc.Permit<Integer>> r1 = tx1.reserve();
        assertFalse(r1.isDone());
        r1.cancel(false);
    }

    @Test
    void asyncSendRecvWithBuffer() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(16);
        Mpsc.Sender<Integer> tx = ch.sender();
        Thread t =
                new Thread(
                        () -> {
                            tx.send(1).join();
                            tx.send(2).join();
                            tx.close();
                        });
        t.start();
        assertEquals(1, join(ch.receiver().recv()));
        assertEquals(2, join(ch.receiver().recv()));
        assertNull(join(ch.receiver().recv()));
        t.join(10_000);
    }

    @Test
    void asyncSendRecvManyWithBuffer() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        Mpsc.Receiver<Integer> rx = ch.receiver();
        List<Integer> buffer = new ArrayList<>();

        CompletableFuture<Integer> zero = rx.recvMany(buffer, 0);
        assertTrue(zero.isDone());
        assertEquals(0, zero.join());

        Mpsc.Sender<Integer> tx = ch.sender();
        Thread t =
                new Thread(
                        () -> {
                            tx.send(1).join();
                            tx.send(2).join();
                            tx.send(7).join();
                            tx.send(0).join();
                            tx.close();
                        });
        t.start();
        int received = 0;
        while (received < 4) {
            received += join(rx.recvMany(buffer, 3));
            assertEquals(received, buffer.size());
        }
        assertEquals(List.of(1, 2, 7, 0), buffer);
        assertEquals(0, join(rx.recvMany(buffer, 3)));
        t.join(10_000);
    }

    @Test
    void startSendPastCap() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx1 = ch.sender();
        Mpsc.Sender<String> tx2 = tx1.clone();
        assertTrue(tx1.trySend("x"));

        CompletableFuture<Mpsc.Permit<String>> r1 = tx1.reserve();
        assertFalse(r1.isDone());
        CompletableFuture<Mpsc.Permit<String>> r2 = tx2.reserve();
        assertFalse(r2.isDone());

        assertTrue(r1.cancel(false));
        assertEquals("x", join(ch.receiver().recv()));
        assertTrue(r2.isDone(), "the slot passes over the cancelled reservation");
        join(r2).close();

        tx1.close();
        tx2.close();
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void sendRecvUnbounded() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        ch.sender().send(1);
        ch.sender().send(2);
        assertEquals(1, join(ch.receiver().recv()));
        assertEquals(2, join(ch.receiver().recv()));
        ch.sender().close();
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void sendRecvManyUnbounded() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> tx = ch.sender();
        Mpsc.UnboundedReceiver<Integer> rx = ch.receiver();
        List<Integer> buffer = new ArrayList<>();

        assertEquals(0, join(rx.recvMany(buffer, 0)));
        tx.send(7);
        tx.send(13);
        tx.send(100);
        tx.send(1002);
        assertEquals(0, join(rx.recvMany(buffer, 0)));
        assertTrue(buffer.isEmpty());

        int count = 0;
        while (count < 4) {
            count += join(rx.recvMany(buffer, 1));
        }
        assertEquals(4, count);
        assertEquals(List.of(7, 13, 100, 1002), buffer);

        buffer.clear();
        tx.send(5);
        tx.send(6);
        tx.send(7);
        tx.send(2);
        assertEquals(4, join(rx.recvMany(buffer, 32)));
        assertEquals(List.of(5, 6, 7, 2), buffer);

        tx.close();
        assertEquals(0, join(rx.recvMany(buffer, 4)));
        assertNull(join(rx.recv()));
    }

    @Test
    void sendRecvManyBoundedCapacity() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Receiver<String> rx = ch.receiver();
        int limit = 9;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            expected.add(Integer.toString(i));
            join(tx.send(Integer.toString(i)));
        }
        join(tx.send("one more"));

        List<String> buffer = new ArrayList<>();
        assertEquals(limit, join(rx.recvMany(buffer, limit)));
        assertEquals(expected, buffer);

        assertEquals(1, join(rx.recvMany(buffer, limit)));
        expected.add("one more");
        assertEquals(expected, buffer);

        // The sender is closed, but an outstanding permit keeps recvMany from returning 0.
        Mpsc.Permit<String> permit = join(tx.reserve());
        tx.close();
        CompletableFuture<Integer> pending = rx.recvMany(buffer, limit);
        assertFalse(pending.isDone());
        permit.send("final");
        assertEquals(1, join(pending));
        expected.add("final");
        assertEquals(expected, buffer);
        assertEquals(0, join(rx.recvMany(buffer, limit)));
        assertEquals(expected, buffer);
    }

    @Test
    void sendRecvManyUnboundedCapacity() throws Exception {
        Mpsc.UnboundedChannel<String> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<String> tx = ch.sender();
        Mpsc.UnboundedReceiver<String> rx = ch.receiver();
        int limit = 9;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            expected.add(Integer.toString(i));
            tx.send(Integer.toString(i));
        }
        tx.send("one more");
        List<String> buffer = new ArrayList<>();
        assertEquals(limit, join(rx.recvMany(buffer, limit)));
        assertEquals(expected, buffer);
        assertEquals(1, join(rx.recvMany(buffer, limit)));
        expected.add("one more");

        CompletableFuture<Integer> pending = rx.recvMany(buffer, limit);
        assertFalse(pending.isDone());
        Thread t =
                new Thread(
                        () -> {
                            tx.send("final");
                            tx.close();
                        });
        t.start();
        assertEquals(1, join(pending));
        expected.add("final");
        assertEquals(expected, buffer);
        assertEquals(0, join(rx.recvMany(buffer, limit)));
        assertEquals(expected, buffer);
        t.join(10_000);
    }

    @Test
    void recvManyWithNonEmptyBufferWhenClosedAndIdle() throws Exception {
        Mpsc.Channel<Integer> bounded = Mpsc.channel(1);
        List<Integer> buffer = new ArrayList<>(List.of(1));
        bounded.receiver().close();
        assertEquals(0, join(bounded.receiver().recvMany(buffer, 1)));
        assertEquals(List.of(1), buffer);

        Mpsc.UnboundedChannel<Integer> unbounded = Mpsc.unboundedChannel();
        unbounded.receiver().close();
        assertEquals(0, join(unbounded.receiver().recvMany(buffer, 1)));
        assertEquals(List.of(1), buffer);
    }

    @Test
    void asyncSendRecvUnbounded() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Thread t =
                new Thread(
                        () -> {
                            ch.sender().send(1);
                            ch.sender().send(2);
                            ch.sender().close();
                        });
        t.start();
        assertEquals(1, join(ch.receiver().recv()));
        assertEquals(2, join(ch.receiver().recv()));
        assertNull(join(ch.receiver().recv()));
        t.join(10_000);
    }

    @Test
    void handlesHaveUsefulToString() {
        Mpsc.Channel<Object> ch = Mpsc.channel(100);
        assertTrue(ch.sender().toString().contains("Mpsc"), ch.sender().toString());
        assertTrue(ch.receiver().toString().contains("Mpsc"), ch.receiver().toString());
        assertTrue(ch.sender().clone().trySend(new Object()));
    }

    @Test
    void sendRecvBufferLimited() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> tx = ch.sender();
        Mpsc.Permit<Integer> p1 = join(tx.reserve());
        p1.send(1);

        CompletableFuture<Mpsc.Permit<Integer>> p2 = tx.reserve();
        assertFalse(p2.isDone());
        assertEquals(1, join(ch.receiver().recv()));
        assertTrue(p2.isDone());

        // The freed slot went to the queued reservation, not to trySend.
        assertFalse(tx.trySend(1337));
        join(p2).send(2);
        assertEquals(2, join(ch.receiver().recv()));
    }

    // ---- closing -------------------------------------------------------------------------------

    @Test
    void recvCloseGetsNoneIdle() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(10);
        ch.receiver().close();
        assertNull(join(ch.receiver().recv()));
        assertInstanceOf(ClosedException.class, failure(ch.sender().send(1)));
    }

    @Test
    void recvCloseGetsNoneReserved() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> tx1 = ch.sender();
        Mpsc.Sender<Integer> tx2 = tx1.clone();
        Mpsc.Permit<Integer> permit1 = join(tx1.reserve());
        CompletableFuture<Mpsc.Permit<Integer>> permit2 = tx2.reserve();
        assertFalse(permit2.isDone());

        ch.receiver().close();
        assertInstanceOf(ClosedException.class, failure(permit2));

        CompletableFuture<Integer> recv = ch.receiver().recv();
        assertFalse(recv.isDone(), "an outstanding permit may still send");
        permit1.send(123);
        assertTrue(recv.isDone());
        assertEquals(123, recv.join());
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void failedReserveManyWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Permit<String> permit = ch.sender().tryReserve();
        assertNotNull(permit);
        CompletableFuture<Mpsc.PermitIterator<String>> reserve = ch.sender().reserveMany(2);
        assertFalse(reserve.isDone());

        ch.receiver().close();
        // Java completes the queued reservation at close (tokio fails it on its next poll).
        assertInstanceOf(ClosedException.class, failure(reserve));

        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone(), "one slot is still held by a permit");
        permit.close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
    }

    @Test
    void cancelledReserveManyWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Permit<String> permit = ch.sender().tryReserve();
        CompletableFuture<Mpsc.PermitIterator<String>> reserve = ch.sender().reserveMany(2);
        assertFalse(reserve.isDone());

        // Cancel the partly granted reservation first: its slot goes back.
        assertTrue(reserve.cancel(false));
        assertEquals(1, ch.sender().capacity());

        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        permit.close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
    }

    @Test
    void cancelledReserveWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Permit<String> permit = ch.sender().tryReserve();
        CompletableFuture<Mpsc.Permit<String>> reserve = ch.sender().reserve();
        assertFalse(reserve.isDone());
        permit.close();
        // The slot was handed to the queued reservation.
        assertTrue(reserve.isDone());

        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone(), "the granted permit may still send");
        reserve.join().close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
    }

    @Test
    void txCloseGetsNone() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(10);
        ch.sender().close();
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void trySendFail() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx = ch.sender();
        assertTrue(tx.trySend("hello"));
        assertFalse(tx.trySend("fail"), "full is false, not an exception");
        assertEquals("hello", join(ch.receiver().recv()));
        assertTrue(tx.trySend("goodbye"));
        tx.close();
        assertEquals("goodbye", join(ch.receiver().recv()));
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void trySendFailWithTryRecv() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Receiver<String> rx = ch.receiver();
        assertTrue(tx.trySend("hello"));
        assertFalse(tx.trySend("fail"));
        assertEquals("hello", rx.tryRecv());
        assertTrue(tx.trySend("goodbye"));
        tx.close();
        assertEquals("goodbye", rx.tryRecv());
        assertThrows(ClosedException.class, rx::tryRecv);
    }

    @Test
    void reserveManyAboveCapIsRejectedAtTheCall() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ch.sender().reserveMany(2));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ch.sender().reserveMany(Mpsc.MAX_CAPACITY + 1));
        assertThrows(
                IllegalArgumentException.class, () -> ch.sender().reserveMany(Integer.MAX_VALUE));
    }

    @Test
    void tryReserveManyZero() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx = ch.sender();
        assertFalse(tx.tryReserveMany(0).hasNext());
        assertTrue(tx.trySend("x"));
        assertFalse(tx.tryReserveMany(0).hasNext(), "even when full");
        ch.receiver().close();
        assertThrows(ClosedException.class, () -> tx.tryReserveMany(0));
    }

    @Test
    void reserveManyZero() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx = ch.sender();
        assertFalse(join(tx.reserveMany(0)).hasNext());
        join(tx.send("x"));
        CompletableFuture<Mpsc.PermitIterator<String>> whenFull = tx.reserveMany(0);
        assertTrue(whenFull.isDone(), "zero permits never wait");
        assertFalse(whenFull.join().hasNext());
        ch.receiver().close();
        assertInstanceOf(ClosedException.class, failure(tx.reserveMany(0)));
    }

    @Test
    void tryReserveManyEdgeCases() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.PermitIterator<String> none = tx.tryReserveMany(0);
        assertFalse(none.hasNext());
        assertEquals(0, none.remaining());
        // Above the channel's capacity: Full, as tokio's try_reserve_many (reserveMany rejects it).
        assertNull(tx.tryReserveMany(2));
        assertNull(tx.tryReserveMany(Mpsc.MAX_CAPACITY + 1));
        assertNull(tx.tryReserveMany(Integer.MAX_VALUE));
        ch.receiver().close();
        assertInstanceOf(ClosedException.class, failure(tx.reserveMany(0)));
    }

    @Test
    void tryReserveFails() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Permit<String> permit = tx.tryReserve();
        assertNotNull(permit);
        assertNull(tx.tryReserve());
        permit.send("foo");
        assertEquals("foo", join(ch.receiver().recv()));

        Mpsc.Permit<String> again = tx.tryReserve();
        assertNotNull(again);
        again.close();
        assertNotNull(tx.tryReserve());
    }

    @Test
    void reserveManyAndSend() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        for (int i = 0; i < 100; i++) {
            Mpsc.PermitIterator<String> permits = join(ch.sender().reserveMany(i));
            assertEquals(i, permits.remaining());
            while (permits.hasNext()) {
                permits.next().send("foo");
                assertEquals("foo", join(ch.receiver().recv()));
            }
            assertNull(ch.receiver().tryRecv());
        }
    }

    @Test
    void tryReserveManyAndSend() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        for (int i = 0; i < 100; i++) {
            Mpsc.PermitIterator<String> permits = ch.sender().tryReserveMany(i);
            assertNotNull(permits);
            while (permits.hasNext()) {
                permits.next().send("foo");
                assertEquals("foo", join(ch.receiver().recv()));
            }
            assertNull(ch.receiver().tryRecv());
        }
    }

    @Test
    void reserveManyOnClosedChannel() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        ch.receiver().close();
        assertInstanceOf(ClosedException.class, failure(ch.sender().reserveMany(10)));
        assertThrows(ClosedException.class, () -> ch.sender().tryReserveMany(10));
    }

    @Test
    void tryReserveManyFull() throws Exception {
        for (int n = 1; n < 40; n++) {
            for (int k = 0; k < n; k++) {
                Mpsc.Channel<Integer> ch = Mpsc.channel(n);
                Mpsc.Sender<Integer> tx = ch.sender();
                Mpsc.PermitIterator<Integer> permits = tx.tryReserveMany(n);
                assertEquals(n, permits.remaining());
                assertEquals(0, tx.capacity());
                assertNull(tx.tryReserveMany(1));

                for (int i = 0; i < k; i++) {
                    permits.next().send(0);
                }
                // Only k of the n reserved permits were used: capacity counts the rest as taken.
                assertEquals(0, tx.capacity());
                permits.close();
                assertEquals(n - k, tx.capacity());

                Mpsc.PermitIterator<Integer> one = tx.tryReserveMany(1);
                assertNotNull(one);
                one.close();
                assertNull(tx.tryReserveMany(n - k + 1));

                for (int i = 0; i < k; i++) {
                    assertEquals(0, join(ch.receiver().recv()));
                }
                assertEquals(n, tx.capacity());
            }
        }
    }

    @Test
    void closingAPermitReleasesIt() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> tx1 = ch.sender();
        Mpsc.Sender<Integer> tx2 = tx1.clone();
        Mpsc.Permit<Integer> permit = join(tx1.reserve());
        CompletableFuture<Mpsc.Permit<Integer>> reserve2 = tx2.reserve();
        assertFalse(reserve2.isDone());
        permit.close();
        assertTrue(reserve2.isDone());
        // Closing twice, or after send, changes nothing.
        permit.close();
        assertEquals(0, tx1.capacity());
    }

    @Test
    void closingAPermitIteratorReleasesTheRest() throws Exception {
        for (int n = 1; n < 50; n++) {
            Mpsc.Channel<Integer> ch = Mpsc.channel(n);
            Mpsc.Sender<Integer> tx1 = ch.sender();
            Mpsc.Sender<Integer> tx2 = tx1.clone();
            Mpsc.PermitIterator<Integer> permits = join(tx1.reserveMany(n));
            CompletableFuture<Mpsc.PermitIterator<Integer>> reserve2 = tx2.reserveMany(n);
            assertFalse(reserve2.isDone());
            permits.close();
            assertTrue(reserve2.isDone());
            join(reserve2).close();
            assertEquals(n, tx1.capacity());
        }
    }

    @Test
    void closingTheLastPermitWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.Permit<String> permit = ch.sender().tryReserve();
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        permit.close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
    }

    @Test
    void closingTheLastOwnedPermitWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.OwnedPermit<String> permit = ch.sender().tryReserveOwned();
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        permit.close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
    }

    @Test
    void closingTheLastPermitIteratorWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.PermitIterator<String> permits = ch.sender().tryReserveMany(1);
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        permits.close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
    }

    @Test
    void sendingOnTheLastPermitWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.Permit<String> permit = ch.sender().tryReserve();
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        permit.send("late");
        assertTrue(recv.isDone());
        assertEquals("late", recv.join(), "a permit may still send after the receiver closed");
    }

    @Test
    void sendingOnTheLastOwnedPermitWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.OwnedPermit<String> permit = ch.sender().tryReserveOwned();
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        Mpsc.Sender<String> handle = permit.send("late");
        assertTrue(recv.isDone());
        assertEquals("late", recv.join());
        handle.close();
    }

    @Test
    void releasingTheLastOwnedPermitWakesClosedReceiver() {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.OwnedPermit<String> permit = ch.sender().tryReserveOwned();
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        Mpsc.Sender<String> inert = permit.release();
        assertTrue(recv.isDone());
        assertNull(recv.join());
        assertTrue(inert.isClosed());
        inert.close();
    }

    @Test
    void ownedPermitKeepsTheChannelOpenAndHandsBackAHandle() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.OwnedPermit<String> permit = join(ch.sender().reserveOwned());
        ch.sender().close();
        assertEquals(1, ch.receiver().senderStrongCount(), "the permit holds its own handle");
        Mpsc.Sender<String> handle = permit.send("x");
        assertEquals(1, handle.strongCount());
        assertTrue(handle.trySend("y"));
        handle.close();
        assertEquals("x", join(ch.receiver().recv()));
        assertEquals("y", join(ch.receiver().recv()));
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void closingTheReceiverClosesTheChannel() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        assertTrue(ch.sender().trySend("x"));
        ch.receiver().close();
        assertInstanceOf(ClosedException.class, failure(ch.sender().reserve()));
        assertInstanceOf(ClosedException.class, failure(ch.sender().reserveMany(10)));
        assertThrows(ClosedException.class, () -> ch.sender().trySend("y"));
        assertThrows(ClosedException.class, () -> ch.sender().tryReserve());
        assertThrows(ClosedException.class, () -> ch.sender().tryReserveOwned());
        // Unlike tokio's drop, close keeps what was sent readable: the receiver drains it.
        assertEquals("x", join(ch.receiver().recv()));
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void closeCompletesSenderClosedFuture() {
        Mpsc.Channel<String> ch = Mpsc.channel(4);
        CompletableFuture<Void> closed = ch.sender().closed();
        assertFalse(closed.isDone());
        assertFalse(ch.sender().isClosed());
        ch.receiver().close();
        assertTrue(closed.isDone());
        assertFalse(closed.isCompletedExceptionally());
        assertTrue(ch.sender().isClosed());
        assertTrue(ch.sender().closed().isDone());
    }

    @Test
    void cancelledClosedFutureDoesNotCloseAnything() {
        Mpsc.Channel<String> ch = Mpsc.channel(4);
        assertTrue(ch.sender().closed().cancel(false));
        assertFalse(ch.sender().isClosed());
        assertTrue(ch.sender().trySend("still open"));
    }

    // ---- blocking ------------------------------------------------------------------------------

    @Test
    void blockingRecv() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        AtomicReference<Integer> got = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                got.set(ch.receiver().blockingRecv());
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        });
        t.start();
        join(ch.sender().send(10));
        t.join(10_000);
        assertFalse(t.isAlive());
        assertEquals(10, got.get());
    }

    @Test
    void blockingSend() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        assertTrue(ch.sender().trySend(1));
        CountDownLatch started = new CountDownLatch(1);
        Thread t =
                new Thread(
                        () -> {
                            started.countDown();
                            try {
                                ch.sender().blockingSend(10);
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        });
        t.start();
        started.await();
        assertEquals(1, join(ch.receiver().recv()));
        assertEquals(10, join(ch.receiver().recv()));
        t.join(10_000);
        assertFalse(t.isAlive());
    }

    @Test
    void blockingOnReactorNonBlockingThreadFailsFast() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Throwable recv =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Mono.fromCallable(ch.receiver()::blockingRecv)
                                        .subscribeOn(Schedulers.parallel())
                                        .block(Duration.ofSeconds(10)));
        assertTrue(recv.getMessage().contains("non-blocking"), recv.getMessage());
        Throwable send =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Mono.fromRunnable(
                                                () -> {
                                                    try {
                                                        ch.sender().blockingSend(1);
                                                    } catch (InterruptedException e) {
                                                        throw new AssertionError(e);
                                                    }
                                                })
                                        .subscribeOn(Schedulers.parallel())
                                        .block(Duration.ofSeconds(10)));
        assertTrue(send.getMessage().contains("non-blocking"), send.getMessage());
        assertEquals(1, ch.sender().capacity(), "nothing was sent");
    }

    @Test
    void blockingTimeouts() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        assertNull(ch.receiver().blockingRecv(Duration.ofMillis(20)), "timed out");
        assertFalse(ch.receiver().isClosed());
        assertTrue(ch.sender().blockingSend(1, Duration.ofMillis(20)));
        assertFalse(ch.sender().blockingSend(2, Duration.ofMillis(20)), "full until timeout");
        assertEquals(1, ch.receiver().blockingRecv(Duration.ofMillis(20)));
        assertNull(ch.receiver().tryRecv(), "the timed-out send sent nothing");
        assertEquals(1, ch.sender().capacity());
        ch.sender().close();
        assertNull(ch.receiver().blockingRecv(Duration.ofSeconds(5)), "end of stream");
        assertTrue(ch.receiver().isClosed() && ch.receiver().isEmpty());
    }

    @Test
    void blockingRecvManyAppendsWhatIsAvailable() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(8);
        for (int i = 0; i < 5; i++) {
            assertTrue(ch.sender().trySend(i));
        }
        List<Integer> buffer = new ArrayList<>();
        assertEquals(3, ch.receiver().blockingRecvMany(buffer, 3));
        assertEquals(2, ch.receiver().blockingRecvMany(buffer, 3));
        assertEquals(List.of(0, 1, 2, 3, 4), buffer);
        ch.sender().close();
        assertEquals(0, ch.receiver().blockingRecvMany(buffer, 3));
    }

    @Test
    void interruptWithdrawsABlockingRecv() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                ch.receiver().blockingRecv();
                            } catch (Throwable e) {
                                thrown.set(e);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> t.getState() == Thread.State.WAITING);
        t.interrupt();
        t.join(10_000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        // The withdrawn receive consumed nothing and left no pending receive behind.
        assertTrue(ch.sender().trySend(7));
        assertEquals(7, join(ch.receiver().recv()));
    }

    @Test
    void interruptWithdrawsABlockingSend() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        assertTrue(ch.sender().trySend(1));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                ch.sender().blockingSend(2);
                            } catch (Throwable e) {
                                thrown.set(e);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> t.getState() == Thread.State.WAITING);
        t.interrupt();
        t.join(10_000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertEquals(1, join(ch.receiver().recv()));
        assertNull(ch.receiver().tryRecv(), "the interrupted send sent nothing");
        assertEquals(1, ch.sender().capacity(), "and holds no slot");
    }

    // ---- tryRecv -------------------------------------------------------------------------------

    @Test
    void readyCloseCancelBounded() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(100);
        Mpsc.Sender<String> tx2 = ch.sender().clone();
        Mpsc.Permit<String> permit = join(ch.sender().reserve());
        ch.receiver().close();
        CompletableFuture<String> recv = ch.receiver().recv();
        assertFalse(recv.isDone());
        permit.close();
        assertTrue(recv.isDone());
        assertNull(recv.join());
        tx2.close();
    }

    @Test
    void permitAvailableNotAcquiredClose() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        Mpsc.Sender<String> tx2 = ch.sender().clone();
        Mpsc.Permit<String> permit1 = join(ch.sender().reserve());
        CompletableFuture<Mpsc.Permit<String>> permit2 = tx2.reserve();
        assertFalse(permit2.isDone());
        ch.receiver().close();
        permit1.close();
        assertTrue(permit2.isDone());
        assertNull(join(ch.receiver().recv()));
    }

    @Test
    void tryRecvBounded() {
        Mpsc.Channel<String> ch = Mpsc.channel(5);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Receiver<String> rx = ch.receiver();
        for (int i = 0; i < 5; i++) {
            assertTrue(tx.trySend("hello"));
        }
        assertFalse(tx.trySend("hello"));
        for (int i = 0; i < 5; i++) {
            assertEquals("hello", rx.tryRecv());
        }
        assertNull(rx.tryRecv());

        for (int i = 0; i < 4; i++) {
            assertTrue(tx.trySend("hello"));
        }
        assertEquals("hello", rx.tryRecv());
        assertTrue(tx.trySend("hello"));
        assertTrue(tx.trySend("hello"));
        assertFalse(tx.trySend("hello"));
        for (int i = 0; i < 5; i++) {
            assertEquals("hello", rx.tryRecv());
        }
        assertNull(rx.tryRecv());

        for (int i = 0; i < 3; i++) {
            assertTrue(tx.trySend("hello"));
        }
        tx.close();
        for (int i = 0; i < 3; i++) {
            assertEquals("hello", rx.tryRecv());
        }
        assertThrows(ClosedException.class, rx::tryRecv);
    }

    @Test
    void tryRecvUnbounded() {
        for (int num = 0; num < 100; num++) {
            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
            for (int i = 0; i < num; i++) {
                ch.sender().send(i);
            }
            for (int i = 0; i < num; i++) {
                assertEquals(i, ch.receiver().tryRecv());
            }
            assertNull(ch.receiver().tryRecv());
            ch.sender().close();
            assertThrows(ClosedException.class, ch.receiver()::tryRecv);
        }
    }

    @Test
    void tryRecvAfterReceiverClose() {
        Mpsc.Channel<String> ch = Mpsc.channel(5);
        assertNull(ch.receiver().tryRecv());
        ch.receiver().close();
        assertThrows(ClosedException.class, ch.receiver()::tryRecv);
    }

    @Test
    void tryRecvAfterReceiverCloseWithPermit() {
        Mpsc.Channel<String> ch = Mpsc.channel(5);
        Mpsc.Permit<String> permit = ch.sender().tryReserve();
        assertNull(ch.receiver().tryRecv());
        ch.receiver().close();
        assertNull(ch.receiver().tryRecv(), "empty, not closed: the permit may still send");
        permit.close();
        assertThrows(ClosedException.class, ch.receiver()::tryRecv);
    }

    @Test
    void tryRecvCloseWhileEmpty() {
        Mpsc.Channel<String> bounded = Mpsc.channel(5);
        assertNull(bounded.receiver().tryRecv());
        bounded.sender().close();
        assertThrows(ClosedException.class, bounded.receiver()::tryRecv);

        Mpsc.UnboundedChannel<String> unbounded = Mpsc.unboundedChannel();
        assertNull(unbounded.receiver().tryRecv());
        unbounded.sender().close();
        assertThrows(ClosedException.class, unbounded.receiver()::tryRecv);
    }

    @Test
    void sendTimeout() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(5);
        for (int i = 1; i <= 5; i++) {
            join(ch.sender().sendTimeout(i * 10, Duration.ofSeconds(1)));
        }
        CompletableFuture<Void> timedOut = ch.sender().sendTimeout(60, Duration.ofMillis(20));
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> timedOut.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertEquals(0, ch.sender().capacity(), "the timed-out send took no slot");

        ch.receiver().close();
        assertInstanceOf(
                ClosedException.class, failure(ch.sender().sendTimeout(70, Duration.ofSeconds(1))));
        for (int i = 1; i <= 5; i++) {
            assertEquals(i * 10, join(ch.receiver().recv()));
        }
        assertNull(join(ch.receiver().recv()), "60 and 70 were never sent");
    }

    // ---- capacity, isClosed, isEmpty, len ------------------------------------------------------

    @Test
    void txCapacity() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(10);
        Mpsc.Sender<String> tx = ch.sender();
        assertEquals(10, tx.capacity());
        assertEquals(10, tx.maxCapacity());
        Mpsc.Permit<String> permit = join(tx.reserve());
        assertEquals(9, tx.capacity());
        assertEquals(10, tx.maxCapacity());
        join(tx.send("x"));
        assertEquals(8, tx.capacity());
        assertEquals(10, tx.maxCapacity());
        assertEquals(8, ch.receiver().capacity());
        assertEquals(10, ch.receiver().maxCapacity());
        permit.close();
        assertEquals(9, tx.capacity());
    }

    @Test
    void rxIsClosed() throws Exception {
        Mpsc.Channel<Integer> a = Mpsc.channel(10);
        a.receiver().close();
        assertTrue(a.receiver().isClosed(), "after close with a live sender");

        Mpsc.Channel<Integer> b = Mpsc.channel(10);
        Mpsc.Sender<Integer> another = b.sender().clone();
        Thread t = new Thread(another::close);
        t.start();
        b.sender().close();
        t.join(10_000);
        assertTrue(b.receiver().isClosed(), "after every sender closed");

        Mpsc.Channel<Integer> c = Mpsc.channel(10);
        assertFalse(c.receiver().isClosed());
        for (int i = 0; i < 10; i++) {
            join(c.sender().send(i));
        }
        assertFalse(c.receiver().isClosed(), "full is not closed");
        c.sender().close();
        assertTrue(c.receiver().isClosed(), "closed with messages left");

        Mpsc.Channel<Integer> d = Mpsc.channel(10);
        for (int i = 0; i < 10; i++) {
            join(d.sender().send(i));
        }
        d.receiver().close();
        assertTrue(d.receiver().isClosed());

        Mpsc.Channel<Integer> e = Mpsc.channel(10);
        Mpsc.OwnedPermit<Integer> permit = join(e.sender().reserveOwned());
        e.sender().close();
        assertFalse(e.receiver().isClosed(), "an owned permit keeps a sender alive");
        permit.release().close();
        assertTrue(e.receiver().isClosed());
    }

    @Test
    void rxIsEmpty() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(10);
        assertTrue(ch.receiver().isEmpty());
        for (int i = 0; i < 10; i++) {
            join(ch.sender().send(i));
            assertFalse(ch.receiver().isEmpty());
        }
        for (int i = 0; i < 9; i++) {
            assertNotNull(join(ch.receiver().recv()));
        }
        assertFalse(ch.receiver().isEmpty(), "one left");
        ch.sender().close();
        assertNotNull(ch.receiver().tryRecv());
        assertTrue(ch.receiver().isEmpty());
    }

    @Test
    void rxLen() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(100);
        assertEquals(0, ch.receiver().len());
        for (int i = 0; i < 100; i++) {
            join(ch.sender().send(i));
            assertEquals(i + 1, ch.receiver().len());
        }
        ch.sender().close();
        assertEquals(100, ch.receiver().len(), "closing adds nothing to len");
        for (int i = 99; i >= 0; i--) {
            assertNotNull(join(ch.receiver().recv()));
            assertEquals(i, ch.receiver().len());
        }

        Mpsc.Channel<Integer> empty = Mpsc.channel(100);
        empty.sender().close();
        assertEquals(0, empty.receiver().len());

        Mpsc.Channel<Integer> closing = Mpsc.channel(100);
        join(closing.sender().send(1));
        closing.receiver().close();
        assertEquals(1, closing.receiver().len());
        closing.sender().close();
        assertEquals(1, closing.receiver().len());
    }

    @Test
    void unboundedIsClosedIsEmptyAndLen() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedReceiver<Integer> rx = ch.receiver();
        assertFalse(rx.isClosed());
        assertTrue(rx.isEmpty());
        assertEquals(0, rx.len());
        for (int i = 0; i < 100; i++) {
            ch.sender().send(i);
            assertEquals(i + 1, rx.len());
        }
        assertFalse(rx.isEmpty());
        ch.sender().close();
        assertTrue(rx.isClosed());
        assertEquals(100, rx.len());
        for (int i = 99; i >= 0; i--) {
            assertNotNull(join(rx.recv()));
            assertEquals(i, rx.len());
        }
        assertTrue(rx.isEmpty());

        Mpsc.UnboundedChannel<Integer> closing = Mpsc.unboundedChannel();
        closing.sender().send(1);
        closing.receiver().close();
        assertTrue(closing.receiver().isClosed());
        assertEquals(1, closing.receiver().len());
    }

    @Test
    void isEmptyAcrossABlockBoundary() throws Exception {
        // tokio's test_is_empty_32_msgs: 32 is its block size; crossing it must not confuse
        // isEmpty.
        Mpsc.Channel<Integer> ch = Mpsc.channel(33);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 32; i++) {
                join(ch.sender().send(i));
            }
            assertFalse(ch.receiver().isEmpty());
            for (int i = 0; i < 32; i++) {
                assertEquals(i, join(ch.receiver().recv()));
            }
            assertTrue(ch.receiver().isEmpty());
            assertEquals(0, ch.receiver().len());
        }
    }

    @Test
    void manyMessagesCrossManyBlocksInOrder() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(7);
        Mpsc.UnboundedChannel<Integer> un = Mpsc.unboundedChannel();
        int next = 0;
        for (int i = 0; i < 10_000; i++) {
            if (!ch.sender().trySend(i)) {
                assertEquals(next++, join(ch.receiver().recv()));
                assertTrue(ch.sender().trySend(i));
            }
            un.sender().send(i);
        }
        while (next < 10_000) {
            assertEquals(next++, ch.receiver().tryRecv());
        }
        for (int i = 0; i < 10_000; i++) {
            assertEquals(i, un.receiver().tryRecv());
        }
        assertNull(ch.receiver().tryRecv());
        assertNull(un.receiver().tryRecv());
    }

    // ---- fairness and cancellation -------------------------------------------------------------

    @Test
    void sendersWaitInFifoOrder() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        assertTrue(ch.sender().trySend(0));
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            sends.add(ch.sender().send(i));
        }
        for (int i = 0; i <= 5; i++) {
            assertEquals(i, join(ch.receiver().recv()));
        }
        for (CompletableFuture<Void> s : sends) {
            assertTrue(s.isDone());
        }
    }

    @Test
    void cancelledSendSendsNothingAndKeepsOrder() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        assertTrue(ch.sender().trySend(0));
        CompletableFuture<Void> s1 = ch.sender().send(1);
        CompletableFuture<Void> s2 = ch.sender().send(2);
        assertTrue(s1.cancel(false));
        assertEquals(0, join(ch.receiver().recv()));
        assertTrue(s2.isDone());
        assertEquals(2, join(ch.receiver().recv()));
        assertNull(ch.receiver().tryRecv());
    }

    @Test
    void cancelledRecvConsumesNothing() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        CompletableFuture<Integer> r1 = ch.receiver().recv();
        assertTrue(r1.cancel(false));
        assertTrue(ch.sender().trySend(1));
        assertTrue(ch.sender().trySend(2));
        assertEquals(1, join(ch.receiver().recv()));
        assertEquals(2, join(ch.receiver().recv()));

        List<Integer> buffer = new ArrayList<>(List.of(-1));
        CompletableFuture<Integer> many = ch.receiver().recvMany(buffer, 10);
        assertTrue(many.completeExceptionally(new IllegalStateException("gone")));
        assertTrue(ch.sender().trySend(3));
        assertEquals(List.of(-1), buffer, "a withdrawn recvMany leaves the buffer untouched");
        assertEquals(3, join(ch.receiver().recv()));
    }

    @Test
    void timedOutRecvConsumesNothing() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        CompletableFuture<Integer> r = ch.receiver().recv().orTimeout(10, TimeUnit.MILLISECONDS);
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> r.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, e.getCause());
        ch.sender().send(5);
        assertEquals(5, join(ch.receiver().recv()));
    }

    @Test
    void cancellingADependentDoesNotReachTheSource() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        CompletableFuture<Integer> source = ch.receiver().recv();
        CompletableFuture<Integer> dependent = source.thenApply(v -> v + 1);
        assertTrue(dependent.cancel(false));
        assertFalse(source.isDone());
        assertTrue(ch.sender().trySend(1));
        assertEquals(1, join(source), "the source still received");
    }

    @Test
    void recvInsideACompletionIsCompleteAtOnceAndItsShallowDependentRunsInline() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        assertTrue(ch.sender().trySend(1));
        assertTrue(ch.sender().trySend(2));
        Oneshot.Channel<String> start = Oneshot.channel();
        List<String> events = new ArrayList<>();
        CompletableFuture<Void> body =
                start.receiver()
                        .recv()
                        .thenAccept(
                                go -> {
                                    CompletableFuture<Integer> first = ch.receiver().recv();
                                    events.add("first done at call: " + first.isDone());
                                    // Complete at the call: an outside cancel loses, nothing lost.
                                    events.add("cancel: " + first.cancel(false));
                                    first.thenAccept(v -> events.add("first=" + v));
                                    events.add("body returns");
                                });
        start.sender().send("go");
        join(body);
        assertEquals(
                List.of("first done at call: true", "cancel: false", "first=1", "body returns"),
                events);
        assertEquals(2, join(ch.receiver().recv()), "in order, nothing skipped");
        assertEquals(4, ch.sender().capacity());
    }

    // ---- close with a cause --------------------------------------------------------------------

    @Test
    void closeChannelWithCauseDrainsThenFails() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Mpsc.Sender<Integer> other = ch.sender().clone();
        Mpsc.Sender<Integer> third = ch.sender().clone();
        assertTrue(ch.sender().trySend(1));
        IllegalStateException cause = new IllegalStateException("upstream failed");
        assertTrue(ch.sender().closeChannel(cause));
        assertFalse(third.closeChannel(new RuntimeException("second")), "already closed");

        assertTrue(other.isClosed());
        assertInstanceOf(ClosedException.class, failure(other.send(2)));
        assertEquals(1, join(ch.receiver().recv()), "what was sent drains first");

        Throwable end = failure(ch.receiver().recv());
        assertInstanceOf(ClosedException.class, end);
        assertSame(cause, end.getCause());
        ClosedException tried = assertThrows(ClosedException.class, ch.receiver()::tryRecv);
        assertSame(cause, tried.getCause());
        ClosedException blocked = assertThrows(ClosedException.class, ch.receiver()::blockingRecv);
        assertSame(cause, blocked.getCause());
        CompletionException many =
                assertThrows(
                        CompletionException.class,
                        () -> ch.receiver().recvMany(new ArrayList<>(), 3).join());
        assertSame(cause, many.getCause().getCause());
    }

    @Test
    void closeChannelWithCauseWakesAPendingRecv() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        CompletableFuture<Integer> pending = ch.receiver().recv();
        RuntimeException cause = new RuntimeException("boom");
        assertTrue(ch.sender().closeChannel(cause));
        assertSame(cause, failure(pending).getCause());
    }

    // ---- handles -------------------------------------------------------------------------------

    @Test
    void sameChannelAndCounts() {
        Mpsc.Channel<Integer> a = Mpsc.channel(1);
        Mpsc.Channel<Integer> b = Mpsc.channel(1);
        Mpsc.Sender<Integer> a2 = a.sender().clone();
        assertTrue(a.sender().sameChannel(a2));
        assertFalse(a.sender().sameChannel(b.sender()));
        assertEquals(2, a.sender().strongCount());
        assertEquals(2, a.receiver().senderStrongCount());
        Mpsc.WeakSender<Integer> weak = a.sender().downgrade();
        assertEquals(1, a.sender().weakCount());
        assertEquals(1, a.receiver().senderWeakCount());
        a2.close();
        a2.close();
        assertEquals(1, a.sender().strongCount(), "close is idempotent per handle");
        weak.close();
        assertEquals(0, a.receiver().senderWeakCount());
    }

    @Test
    void closedHandleRejectsUse() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> extra = ch.sender().clone();
        extra.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> extra.trySend(1));
        assertFalse(e instanceof ClosedException, "misuse of a handle is not a closed channel");
        assertThrows(IllegalStateException.class, () -> extra.send(1));
        assertThrows(IllegalStateException.class, extra::clone);
        assertFalse(ch.receiver().isClosed(), "another strong handle keeps the channel open");
    }
}
