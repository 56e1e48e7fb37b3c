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
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every argument check and misuse of {@link Mpsc}, with the exception type and message: capacity
 * out of range, null elements and arguments, {@code reserveMany} out of range, negative limits,
 * closed handles and permits, closed channels, a second pending receive on the single-consumer
 * receiver (which leaves the first one working), forced completion, and blocking calls on a
 * non-blocking thread.
 */
@Timeout(30)
class MpscBadInputTest {
    private static final String SENDER_CLOSED = "this Mpsc.Sender handle was closed";
    private static final String VALUE_NULL = "value must not be null";

    private static void assertMessage(
            Class<? extends Throwable> type, String message, Executable call) {
        Throwable e = assertThrows(type, call);
        assertEquals(type, e.getClass());
        assertEquals(message, e.getMessage());
    }

    private static String pending(String method) {
        return method
                + " requires no other pending receive on this single-consumer Mpsc receiver but one"
                + " is pending";
    }

    @Test
    void capacityOutOfRange() {
        for (int c :
                new int[] {0, -1, Integer.MIN_VALUE, Mpsc.MAX_CAPACITY + 1, Integer.MAX_VALUE}) {
            assertMessage(
                    IllegalArgumentException.class,
                    "capacity must be in 1..268435455 but was " + c,
                    () -> Mpsc.channel(c));
        }
        assertEquals(268_435_455, Mpsc.MAX_CAPACITY);
        Mpsc.Channel<Integer> max = Mpsc.channel(Mpsc.MAX_CAPACITY); // allocates no slots up front
        assertEquals(Mpsc.MAX_CAPACITY, max.sender().capacity());
        assertTrue(max.sender().trySend(1));
        assertEquals(1, max.receiver().tryRecv());
    }

    @Test
    void nullElementsAndArguments() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Receiver<String> rx = ch.receiver();
        assertMessage(NullPointerException.class, VALUE_NULL, () -> tx.send(null));
        assertMessage(NullPointerException.class, VALUE_NULL, () -> tx.trySend(null));
        assertMessage(
                NullPointerException.class,
                VALUE_NULL,
                () -> tx.sendTimeout(null, Duration.ofSeconds(1)));
        assertMessage(
                NullPointerException.class,
                "timeout must not be null",
                () -> tx.sendTimeout("a", null));
        assertMessage(NullPointerException.class, VALUE_NULL, () -> tx.blockingSend(null));
        assertMessage(
                NullPointerException.class,
                VALUE_NULL,
                () -> tx.blockingSend(null, Duration.ofSeconds(1)));
        assertMessage(
                NullPointerException.class,
                "timeout must not be null",
                () -> tx.blockingSend("a", null));
        assertMessage(
                NullPointerException.class, "cause must not be null", () -> tx.closeChannel(null));
        assertMessage(
                NullPointerException.class, "other must not be null", () -> tx.sameChannel(null));

        Mpsc.Permit<String> permit = tx.tryReserve();
        assertMessage(NullPointerException.class, VALUE_NULL, () -> permit.send(null));
        permit.send("still usable");
        Mpsc.OwnedPermit<String> owned = tx.tryReserveOwned();
        assertMessage(NullPointerException.class, VALUE_NULL, () -> owned.send(null));
        owned.send("still usable too").close();
        assertEquals(0, tx.capacity());
        assertEquals("still usable", rx.tryRecv());
        assertEquals("still usable too", rx.tryRecv());

        assertMessage(
                NullPointerException.class, "buffer must not be null", () -> rx.recvMany(null, 1));
        assertMessage(
                NullPointerException.class,
                "buffer must not be null",
                () -> rx.blockingRecvMany(null, 1));
        assertMessage(
                NullPointerException.class,
                "timeout must not be null",
                () -> rx.blockingRecv(null));

        Mpsc.UnboundedChannel<String> u = Mpsc.unboundedChannel();
        assertMessage(NullPointerException.class, VALUE_NULL, () -> u.sender().send(null));
        assertMessage(
                NullPointerException.class,
                "cause must not be null",
                () -> u.sender().closeChannel(null));
        assertMessage(
                NullPointerException.class,
                "other must not be null",
                () -> u.sender().sameChannel(null));
        assertMessage(
                NullPointerException.class,
                "buffer must not be null",
                () -> u.receiver().recvMany(null, 1));
        assertMessage(
                NullPointerException.class,
                "timeout must not be null",
                () -> u.receiver().blockingRecv(null));
        assertTrue(u.receiver().isEmpty());
    }

    @Test
    void reserveManyOutOfRange() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(4);
        Mpsc.Sender<String> tx = ch.sender();
        assertMessage(
                IllegalArgumentException.class,
                "n must be in 0..maxCapacity (4) but was 5",
                () -> tx.reserveMany(5));
        assertMessage(
                IllegalArgumentException.class,
                "n must be in 0..maxCapacity (4) but was -1",
                () -> tx.reserveMany(-1));
        assertMessage(
                IllegalArgumentException.class,
                "n must be non-negative but was -1",
                () -> tx.tryReserveMany(-1));
        assertNull(tx.tryReserveMany(5), "above maxCapacity: Full, as in tokio");
        assertEquals(4, tx.capacity());

        // n == 0 succeeds even when full
        Mpsc.PermitIterator<String> all = tx.tryReserveMany(4);
        Mpsc.PermitIterator<String> none = Race.await(tx.reserveMany(0));
        assertFalse(none.hasNext());
        assertEquals(0, none.remaining());
        assertMessage(
                NoSuchElementException.class,
                "no permits left in this Mpsc.PermitIterator",
                none::next);
        all.close();
        assertEquals(4, tx.capacity());
    }

    @Test
    void negativeLimits() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        List<String> buf = new ArrayList<>();
        assertMessage(
                IllegalArgumentException.class,
                "limit must be non-negative but was -1",
                () -> ch.receiver().recvMany(buf, -1));
        assertMessage(
                IllegalArgumentException.class,
                "limit must be non-negative but was -3",
                () -> ch.receiver().blockingRecvMany(buf, -3));
        Mpsc.UnboundedChannel<String> u = Mpsc.unboundedChannel();
        assertMessage(
                IllegalArgumentException.class,
                "limit must be non-negative but was -1",
                () -> u.receiver().recvMany(buf, -1));
        assertMessage(
                IllegalArgumentException.class,
                "limit must be non-negative but was -1",
                () -> u.receiver().blockingRecvMany(buf, -1));
        assertEquals(0, ch.receiver().recvMany(buf, 0).join());
        assertTrue(buf.isEmpty());
    }

    @Test
    void closedSenderHandle() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Sender<String> keep = ch.sender();
        Mpsc.Sender<String> tx = keep.clone();
        tx.close();
        tx.close(); // idempotent
        assertEquals(1, keep.strongCount());
        List<Executable> calls =
                List.of(
                        () -> tx.send("a"),
                        () -> tx.trySend("a"),
                        () -> tx.sendTimeout("a", Duration.ofSeconds(1)),
                        () -> tx.blockingSend("a"),
                        () -> tx.blockingSend("a", Duration.ofSeconds(1)),
                        tx::reserve,
                        () -> tx.reserveMany(1),
                        tx::reserveOwned,
                        tx::tryReserve,
                        () -> tx.tryReserveMany(1),
                        tx::tryReserveOwned,
                        tx::clone,
                        tx::downgrade,
                        () -> tx.closeChannel(new RuntimeException()));
        for (Executable call : calls) {
            assertMessage(IllegalStateException.class, SENDER_CLOSED, call);
        }
        // Queries still answer; the channel is untouched.
        assertFalse(tx.isClosed());
        assertEquals(2, tx.capacity());
        assertEquals(2, tx.maxCapacity());
        assertEquals(1, tx.strongCount());
        assertTrue(tx.sameChannel(keep));
        assertFalse(tx.closed().isDone());
        assertEquals(0, ch.receiver().len());

        Mpsc.WeakSender<String> weak = keep.downgrade();
        weak.close();
        weak.close();
        assertEquals(0, keep.weakCount());
        assertMessage(
                IllegalStateException.class,
                "this Mpsc.WeakSender handle was closed",
                weak::upgrade);
        assertMessage(
                IllegalStateException.class, "this Mpsc.WeakSender handle was closed", weak::clone);
    }

    @Test
    void closedUnboundedHandles() {
        Mpsc.UnboundedChannel<String> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<String> tx = ch.sender().clone();
        tx.close();
        String msg = "this Mpsc.UnboundedSender handle was closed";
        assertMessage(IllegalStateException.class, msg, () -> tx.send("a"));
        assertMessage(IllegalStateException.class, msg, tx::clone);
        assertMessage(IllegalStateException.class, msg, tx::downgrade);
        assertMessage(
                IllegalStateException.class, msg, () -> tx.closeChannel(new RuntimeException()));
        assertFalse(tx.isClosed());
        Mpsc.WeakUnboundedSender<String> weak = ch.sender().downgrade();
        weak.close();
        String wmsg = "this Mpsc.WeakUnboundedSender handle was closed";
        assertMessage(IllegalStateException.class, wmsg, weak::upgrade);
        assertMessage(IllegalStateException.class, wmsg, weak::clone);
    }

    @Test
    void usedPermits() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(3);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Permit<String> p = tx.tryReserve();
        p.send("a");
        String permitMsg = "send requires an unused Mpsc.Permit but it was already used or closed";
        assertMessage(IllegalStateException.class, permitMsg, () -> p.send("b"));
        p.close(); // no-op after send
        Mpsc.Permit<String> q = Race.await(tx.reserve());
        q.close();
        q.close();
        assertMessage(IllegalStateException.class, permitMsg, () -> q.send("b"));

        Mpsc.OwnedPermit<String> o = tx.tryReserveOwned();
        assertEquals(2, tx.strongCount());
        o.release().close();
        assertEquals(1, tx.strongCount());
        assertMessage(
                IllegalStateException.class,
                "send requires an unused Mpsc.OwnedPermit but it was already used or closed",
                () -> o.send("c"));
        assertMessage(
                IllegalStateException.class,
                "release requires an unused Mpsc.OwnedPermit but it was already used or closed",
                o::release);
        o.close(); // no-op after release
        assertEquals(1, tx.strongCount());
        assertEquals(2, tx.capacity()); // "a" is queued
        assertEquals("a", ch.receiver().tryRecv());
        assertEquals(3, tx.capacity());
    }

    @Test
    void closedChannel() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Sender<String> other = tx.clone();
        tx.send("last").join();
        ch.receiver().close();
        String sendClosed = "cannot send: the Mpsc channel is closed";
        assertMessage(ClosedException.class, sendClosed, () -> other.trySend("x"));
        assertMessage(ClosedException.class, sendClosed, other::tryReserve);
        assertMessage(ClosedException.class, sendClosed, () -> other.tryReserveMany(0));
        assertMessage(ClosedException.class, sendClosed, other::tryReserveOwned);
        assertEquals(2, other.strongCount(), "a failed tryReserveOwned keeps no handle");
        for (CompletableFuture<?> f :
                List.of(
                        other.send("x"),
                        other.reserve(),
                        other.reserveMany(0),
                        other.reserveOwned())) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> Race.await(f));
            assertInstanceOf(ClosedException.class, e.getCause());
            assertEquals(sendClosed, e.getCause().getMessage());
        }
        assertEquals(2, other.strongCount(), "a failed reserveOwned closes its handle");
        assertMessage(ClosedException.class, sendClosed, () -> other.blockingSend("x"));
        assertEquals("last", ch.receiver().tryRecv());
        assertMessage(
                ClosedException.class,
                "cannot receive: the Mpsc channel is closed and drained",
                ch.receiver()::tryRecv);
        assertNull(Race.await(ch.receiver().recv()));
        assertNull(ch.receiver().blockingRecv());
        assertEquals(0, ch.receiver().blockingRecvMany(new ArrayList<>(), 3));

        Mpsc.UnboundedChannel<String> u = Mpsc.unboundedChannel();
        u.receiver().close();
        assertMessage(ClosedException.class, sendClosed, () -> u.sender().send("x"));
    }

    @Test
    void closedWithCause() throws Exception {
        RuntimeException cause = new RuntimeException("upstream failed");
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Sender<String> other = ch.sender().clone();
        ch.sender().send("a").join();
        assertTrue(ch.sender().closeChannel(cause));
        assertFalse(other.closeChannel(new RuntimeException("ignored")));
        assertEquals(0, ch.receiver().senderStrongCount());
        assertEquals("a", Race.await(ch.receiver().recv()));
        String drained = "cannot receive: the Mpsc channel is closed and drained";
        ClosedException e = assertThrows(ClosedException.class, ch.receiver()::tryRecv);
        assertEquals(drained, e.getMessage());
        assertSame(cause, e.getCause());
        ExecutionException f =
                assertThrows(ExecutionException.class, () -> Race.await(ch.receiver().recv()));
        assertSame(cause, f.getCause().getCause());
        f =
                assertThrows(
                        ExecutionException.class,
                        () -> Race.await(ch.receiver().recvMany(new ArrayList<>(), 2)));
        assertSame(cause, f.getCause().getCause());
        e = assertThrows(ClosedException.class, ch.receiver()::blockingRecv);
        assertSame(cause, e.getCause());
        assertMessage(IllegalStateException.class, SENDER_CLOSED, () -> other.trySend("x"));
    }

    @Test
    void secondPendingReceiveFailsAndFirstStillWorks() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(2);
        Mpsc.Receiver<String> rx = ch.receiver();
        CompletableFuture<String> first = rx.recv();
        assertFalse(first.isDone());
        List<String> buf = new ArrayList<>();
        assertMessage(IllegalStateException.class, pending("recv"), rx::recv);
        assertMessage(IllegalStateException.class, pending("recvMany"), () -> rx.recvMany(buf, 1));
        assertMessage(IllegalStateException.class, pending("tryRecv"), rx::tryRecv);
        assertMessage(IllegalStateException.class, pending("blockingRecv"), rx::blockingRecv);
        assertMessage(
                IllegalStateException.class,
                pending("blockingRecv"),
                () -> rx.blockingRecv(Duration.ofMillis(1)));
        assertMessage(
                IllegalStateException.class,
                pending("blockingRecvMany"),
                () -> rx.blockingRecvMany(buf, 1));
        assertTrue(buf.isEmpty());
        ch.sender().send("one").join();
        assertEquals("one", Race.await(first));
        assertEquals(2, rx.capacity());

        // the same with a pending recvMany
        CompletableFuture<Integer> many = rx.recvMany(buf, 5);
        assertMessage(IllegalStateException.class, pending("recv"), rx::recv);
        ch.sender().send("two").join();
        assertEquals(1, Race.await(many));
        assertEquals(List.of("two"), buf);

        // after a cancelled receive, receiving works again at once
        CompletableFuture<String> cancelled = rx.recv();
        assertTrue(cancelled.cancel(false));
        ch.sender().send("three").join();
        assertEquals("three", Race.await(rx.recv()));

        Mpsc.UnboundedChannel<String> u = Mpsc.unboundedChannel();
        CompletableFuture<String> ufirst = u.receiver().recv();
        assertMessage(IllegalStateException.class, pending("recv"), u.receiver()::recv);
        u.sender().send("x");
        assertEquals("x", Race.await(ufirst));
    }

    @Test
    void forcedValuesAreRejected() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        CompletableFuture<String> f = ch.receiver().recv();
        assertThrows(UnsupportedOperationException.class, () -> f.obtrudeValue("x"));
        assertThrows(UnsupportedOperationException.class, () -> f.obtrudeException(new Error()));
        assertTrue(f.complete("forced")); // an outside completion withdraws the receive
        ch.sender().trySend("real");
        assertEquals("real", ch.receiver().tryRecv());
    }

    @Test
    void blockingOnANonBlockingThreadFailsFast() {
        Mpsc.Channel<String> ch = Mpsc.channel(1);
        for (java.util.concurrent.Callable<?> call :
                List.<java.util.concurrent.Callable<?>>of(
                        () -> {
                            ch.sender().blockingSend("a");
                            return "";
                        },
                        () -> ch.sender().blockingSend("a", Duration.ofSeconds(1)),
                        () -> ch.receiver().blockingRecv(),
                        () -> ch.receiver().blockingRecv(Duration.ofSeconds(1)),
                        () -> ch.receiver().blockingRecvMany(new ArrayList<>(), 1))) {
            Throwable e =
                    assertThrows(
                            IllegalStateException.class,
                            () ->
                                    Mono.fromCallable(call)
                                            .subscribeOn(Schedulers.parallel())
                                            .block(Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains("non-blocking"), e.getMessage());
        }
        assertEquals(1, ch.sender().capacity());
    }
}
