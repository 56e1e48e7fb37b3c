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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input and misuse of {@link Broadcast}: every argument check and every use of a closed handle
 * or of a busy single-consumer receiver, asserting the exception type and its message
 * (docs/design.md §7, layer 6). tokio panics (or cannot compile) in these cases: {@code
 * zero_capacity} and {@code capacity_too_big} of {@code tokio/tests/sync_broadcast.rs}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastBadInputTest {

    private static void assertFails(
            Class<? extends Throwable> type, String message, Executable call) {
        Throwable t = assertThrows(type, call);
        assertEquals(type, t.getClass(), "exact type");
        assertEquals(message, t.getMessage());
    }

    @Test
    void capacityOutOfRange() {
        assertFails(
                IllegalArgumentException.class,
                "capacity must be in 1..1073741824 but was 0",
                () -> Broadcast.channel(0));
        assertFails(
                IllegalArgumentException.class,
                "capacity must be in 1..1073741824 but was -5",
                () -> Broadcast.channel(-5));
        assertFails(
                IllegalArgumentException.class,
                "capacity must be in 1..1073741824 but was 1073741825",
                () -> Broadcast.channel(Broadcast.MAX_CAPACITY + 1));
        assertFails(
                IllegalArgumentException.class,
                "capacity must be in 1..1073741824 but was 0",
                () -> Broadcast.sender(0));
    }

    @Test
    void capacityIsRoundedUpToAPowerOfTwo() {
        for (int[] c : new int[][] {{1, 1}, {2, 2}, {3, 4}, {5, 8}, {16, 16}, {17, 32}}) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(c[0]);
            for (int i = 0; i <= c[1]; i++) {
                ch.sender().send(i);
            }
            // one more than the rounded capacity was sent: exactly one value is lost
            LaggedException e = assertThrows(LaggedException.class, ch.receiver()::tryRecv);
            assertEquals(1, e.missed(), "capacity " + c[0]);
        }
    }

    @Test
    void nullArguments() {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        assertFails(
                NullPointerException.class, "value must not be null", () -> ch.sender().send(null));
        assertFails(
                NullPointerException.class,
                "cause must not be null",
                () -> ch.sender().closeChannel(null));
        assertThrows(NullPointerException.class, () -> ch.receiver().blockingRecv(null));
        assertFalse(ch.receiver().isClosed(), "nothing changed");
        assertEquals(0, ch.sender().len());
    }

    @Test
    void closedSenderHandle() {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Broadcast.Sender<String> tx = ch.sender().clone();
        tx.close();
        String msg = "this Broadcast.Sender handle was closed";
        assertFails(IllegalStateException.class, msg, () -> tx.send("x"));
        assertFails(IllegalStateException.class, msg, tx::subscribe);
        assertFails(IllegalStateException.class, msg, tx::clone);
        assertFails(IllegalStateException.class, msg, tx::downgrade);
        assertFails(IllegalStateException.class, msg, tx::closed);
        assertFails(
                IllegalStateException.class, msg, () -> tx.closeChannel(new RuntimeException()));
        tx.close(); // idempotent
        // queries still work, and the channel is still open through the other handle
        assertEquals(1, tx.strongCount());
        assertEquals(1, tx.receiverCount());
        assertEquals(0, tx.len());
        assertTrue(tx.isEmpty());
        assertTrue(tx.sameChannel(ch.sender()));
        assertFalse(ch.receiver().isClosed());
        assertEquals(1, ch.sender().send("y"));
    }

    @Test
    void closedWeakSenderHandle() {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Broadcast.WeakSender<String> weak = ch.sender().downgrade();
        weak.close();
        weak.close();
        String msg = "this Broadcast.WeakSender handle was closed";
        assertFails(IllegalStateException.class, msg, weak::upgrade);
        assertFails(IllegalStateException.class, msg, weak::clone);
        assertEquals(0, weak.weakCount());
        assertEquals(1, weak.strongCount());
    }

    @Test
    void closedReceiverHandle() {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().subscribe(); // keep the channel sendable
        ch.sender().send("a");
        rx.close();
        rx.close();
        String msg = "this Broadcast.Receiver handle was closed";
        assertFails(IllegalStateException.class, msg, rx::recv);
        assertFails(IllegalStateException.class, msg, rx::tryRecv);
        assertFails(IllegalStateException.class, msg, rx::blockingRecv);
        assertFails(IllegalStateException.class, msg, () -> rx.blockingRecv(Duration.ZERO));
        assertFails(IllegalStateException.class, msg, rx::resubscribe);
        assertEquals(1, rx.len());
        assertFalse(rx.isClosed());
        assertEquals(1, ch.sender().receiverCount());
    }

    @Test
    void secondReceiveWhilePendingFailsAndLeavesStateIntact() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Broadcast.Receiver<String> rx = ch.receiver();
        CompletableFuture<String> first = rx.recv();
        String msg =
                "a receive is already pending on this Broadcast.Receiver: it is a single consumer,"
                        + " one receive at a time";
        assertFails(IllegalStateException.class, msg, rx::recv);
        assertFails(IllegalStateException.class, msg, rx::tryRecv);
        assertFails(IllegalStateException.class, msg, rx::blockingRecv);
        assertFails(IllegalStateException.class, msg, () -> rx.blockingRecv(Duration.ZERO));
        assertFalse(first.isDone());
        assertEquals(1, ch.sender().waitingReceivers());
        ch.sender().send("v");
        assertEquals("v", first.getNow(null));
        assertEquals(0, rx.len());
        assertNull(rx.tryRecv());
        ch.sender().send("w");
        assertEquals("w", rx.recv().getNow(null));
    }

    @Test
    void concurrentReceivesOnOneReceiverNeverDuplicateOrLose() throws Exception {
        for (int round = 0; round < 200; round++) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(256);
            Broadcast.Receiver<Integer> rx = ch.receiver();
            int n = 100;
            for (int i = 0; i < n; i++) {
                ch.sender().send(i);
            }
            List<Integer> a = new ArrayList<>();
            List<Integer> b = new ArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            Race.race(() -> drain(rx, a, refused), () -> drain(rx, b, refused));
            Set<Integer> all = new HashSet<>(a);
            all.addAll(b);
            assertEquals(n, a.size() + b.size(), "no duplicates");
            assertEquals(n, all.size(), "nothing lost");
            assertNull(rx.tryRecv());
        }
    }

    private static void drain(
            Broadcast.Receiver<Integer> rx, List<Integer> into, AtomicInteger refused) {
        for (int misses = 0; misses < 1000; ) {
            try {
                Integer v = rx.tryRecv();
                if (v == null) {
                    return;
                }
                into.add(v);
            } catch (IllegalStateException busy) {
                refused.incrementAndGet();
                misses++;
            }
        }
    }

    @Test
    void sendWithoutReceiversAndAfterClose() {
        Broadcast.Sender<String> tx = Broadcast.sender(4);
        assertFails(
                ClosedException.class,
                "cannot send: the broadcast channel has no receivers",
                () -> tx.send("a"));
        Broadcast.Receiver<String> rx = tx.subscribe();
        Broadcast.Sender<String> other = tx.clone();
        tx.close();
        other.close();
        assertFails(
                IllegalStateException.class,
                "this Broadcast.Sender handle was closed",
                () -> other.send("b"));
        assertTrue(rx.isClosed());
        assertFails(
                ClosedException.class,
                "cannot receive: the broadcast channel was closed and is drained",
                rx::tryRecv);
    }

    @Test
    void sendAfterCloseChannelCarriesTheCause() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Sender<String> other = ch.sender().clone();
        RuntimeException cause = new RuntimeException("stop");
        ch.sender().closeChannel(cause);
        ClosedException e = assertThrows(ClosedException.class, () -> other.send("x"));
        assertEquals("cannot send: the broadcast channel was closed", e.getMessage());
        assertSame(cause, e.getCause());
        ClosedException end = assertThrows(ClosedException.class, ch.receiver()::tryRecv);
        assertEquals(
                "cannot receive: the broadcast channel was closed with a cause", end.getMessage());
        assertSame(cause, end.getCause());
    }

    @Test
    void laggedExceptionMessage() {
        assertEquals(
                "receiver lagged behind: 3 values were overwritten before it read them",
                new LaggedException(3).getMessage());
        assertEquals(
                "receiver lagged behind: 1 value was overwritten before it read them",
                new LaggedException(1).getMessage());
        assertEquals(3, new LaggedException(3).missed());
        assertInstanceOf(RuntimeException.class, new LaggedException(2));
    }
}
