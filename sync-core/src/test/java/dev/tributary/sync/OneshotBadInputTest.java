package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input and misuse of {@link Oneshot}: each fails at the call with a clear exception of the
 * documented type and leaves the channel as it was. Not a tokio port: tokio rules these out at
 * compile time (moves, {@code &mut self}).
 */
@Timeout(30)
class OneshotBadInputTest {

    @Test
    void nullValueIsRejectedAndTheSenderStaysUsable() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> ch.sender().send(null));
        assertEquals("value must not be null", e.getMessage());
        ch.sender().send("ok");
        assertEquals("ok", ch.receiver().recv().get());
    }

    @Test
    void nullCauseIsRejected() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        NullPointerException e =
                assertThrows(NullPointerException.class, () -> ch.sender().closeChannel(null));
        assertEquals("cause must not be null", e.getMessage());
        assertTrue(ch.receiver().isEmpty());
        assertFalse(ch.receiver().isTerminated(), "the channel is still open");
    }

    @Test
    void nullTimeoutIsRejected() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        assertThrows(NullPointerException.class, () -> ch.receiver().blockingRecv(null));
    }

    @Test
    void sendTwice() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("a");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.sender().send("b"));
        assertEquals(IllegalStateException.class, e.getClass(), "misuse, not a closed channel");
        assertEquals(
                "this Oneshot.Sender handle was consumed by an earlier send: a oneshot sender"
                        + " sends once",
                e.getMessage());
        assertEquals("a", ch.receiver().tryRecv(), "the first value is intact");
    }

    @Test
    void sendAfterAFailedSend() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.receiver().close();
        ClosedException closed = assertThrows(ClosedException.class, () -> ch.sender().send("a"));
        assertEquals(
                "Oneshot channel closed: the receiver was closed, so send did not store the value",
                closed.getMessage());
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.sender().send("b"));
        assertEquals(IllegalStateException.class, e.getClass());
    }

    @Test
    void sendAfterClose() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().close();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.sender().send("a"));
        assertEquals(IllegalStateException.class, e.getClass());
        assertEquals("this Oneshot.Sender handle was closed", e.getMessage());
        ClosedException rx = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertEquals(
                "Oneshot channel closed: the sender was closed without sending a value",
                rx.getMessage());
    }

    @Test
    void sendAfterCloseChannel() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        assertTrue(ch.sender().closeChannel(new RuntimeException("x")));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.sender().send("a"));
        assertEquals("this Oneshot.Sender handle was closed", e.getMessage());
    }

    @Test
    void closeAfterSendIsANoOp() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("a");
        ch.sender().close();
        assertFalse(ch.sender().closeChannel(new RuntimeException("ignored")));
        assertEquals("a", ch.receiver().recv().get());
    }

    @Test
    void queriesAndClosedWorkAfterTheSenderIsConsumed() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("a");
        assertFalse(ch.sender().isClosed());
        CompletableFuture<Void> closed = ch.sender().closed();
        assertFalse(closed.isDone());
        ch.receiver().close();
        assertTrue(closed.isDone());
        assertTrue(ch.sender().isClosed());
    }

    @Test
    void secondRecvWhilePendingIsRejectedAndStateIntact() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        CompletableFuture<String> first = ch.receiver().recv();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ch.receiver().recv());
        assertEquals(
                "recv requires no other pending receive on this Oneshot.Receiver (single consumer)"
                        + " but one was pending",
                e.getMessage());
        IllegalStateException t =
                assertThrows(IllegalStateException.class, () -> ch.receiver().tryRecv());
        assertTrue(t.getMessage().startsWith("tryRecv requires no other pending receive"));
        IllegalStateException b =
                assertThrows(IllegalStateException.class, () -> ch.receiver().blockingRecv());
        assertTrue(b.getMessage().startsWith("blockingRecv requires no other pending receive"));
        assertFalse(first.isDone(), "the pending receive is untouched");
        assertTrue(ch.receiver().isEmpty());
        assertFalse(ch.receiver().isTerminated());
        ch.sender().send("v");
        assertEquals("v", first.get());
        assertTrue(ch.receiver().isTerminated());
    }

    @Test
    void recvAfterTheValueWasReceived() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("a");
        assertEquals("a", ch.receiver().tryRecv());
        CompletableFuture<String> again = ch.receiver().recv();
        assertTrue(again.isCompletedExceptionally());
        ClosedException e = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertEquals(
                "Oneshot channel closed: its value was already received (a oneshot receiver"
                        + " receives once)",
                e.getMessage());
    }

    @Test
    void receiverCloseIsIdempotent() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.receiver().close();
        ch.receiver().close();
        ClosedException e = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertEquals(
                "Oneshot channel closed: the receiver was closed before a value was sent",
                e.getMessage());
    }

    @Test
    void mismatchedChannelPair() {
        Oneshot.Channel<String> a = Oneshot.channel();
        Oneshot.Channel<String> b = Oneshot.channel();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new Oneshot.Channel<>(a.sender(), b.receiver()));
        assertEquals(
                "sender and receiver must belong to the same Oneshot channel but did not",
                e.getMessage());
        assertThrows(NullPointerException.class, () -> new Oneshot.Channel<>(null, b.receiver()));
    }

    @Test
    void obtrudeOnAPendingRecvIsUnsupported() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        CompletableFuture<String> f = ch.receiver().recv();
        assertThrows(UnsupportedOperationException.class, () -> f.obtrudeValue("x"));
        ch.sender().send("v");
        assertEquals("v", f.join());
    }
}
