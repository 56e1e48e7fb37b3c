package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ExternalCompletion.Case;
import dev.tributary.sync.ExternalCompletion.Round;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cancel contract of the {@link Mpsc} waits, through every external completion entry point
 * ({@link ExternalCompletion.Entry}): bounded {@code send}, {@code reserve}, {@code recv}, {@code
 * recvMany} and {@code Sender.closed()}, unbounded {@code recv} and {@code recvMany}.
 *
 * <p>Invariants after every iteration: every message is received exactly once and in order (by the
 * raced future if the grant won, else by the next {@code tryRecv}); a withdrawn send delivers
 * nothing; a withdrawn reservation holds no slot; the bounded capacity is back to its maximum once
 * drained, and {@code trySend} (which fails while a sender is queued) succeeds; a withdrawn receive
 * leaves the single-consumer slot free ({@code tryRecv} does not throw "one is pending"); the
 * return value of {@code cancel}/{@code complete}/{@code completeExceptionally} matches what the
 * future holds.
 */
class MpscExternalCompletionRaceTest extends AbstractExternalCompletionRaceTest {
    @Override
    List<Case> cases() {
        return List.of(
                new Case("bounded send", BoundedSend::new),
                new Case("bounded reserve", BoundedReserve::new),
                new Case("bounded recv", () -> new Recv(true)),
                new Case("bounded recvMany", () -> new RecvMany(true)),
                new Case("Sender.closed", SenderClosed::new),
                new Case("unbounded recv", () -> new Recv(false)),
                new Case("unbounded recvMany", () -> new RecvMany(false)));
    }

    /**
     * Whether a sender waits for capacity. Mpsc has no public queue-length query (capacity() reads
     * 0 both for a full channel and while senders wait), so this reads the channel's capacity
     * strategy.
     */
    static boolean queuedSenders(Mpsc.Receiver<?> rx) {
        return ((MpscCapacity.Bounded) rx.chan.capacity).hasQueuedWaiters();
    }

    /** A full channel of capacity 1 holding 0; the wait sends 1; the grant receives 0. */
    static final class BoundedSend extends Round {
        final Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        final CompletableFuture<Void> f;

        BoundedSend() {
            assertTrue(ch.sender().trySend(0));
            f = ch.sender().send(1);
        }

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            assertEquals(0, ch.receiver().tryRecv());
        }

        @Override
        void check(boolean outsideWon) {
            Mpsc.Receiver<Integer> rx = ch.receiver();
            if (outsideWon) {
                assertNull(rx.tryRecv(), "a withdrawn send must not deliver its value");
            } else {
                assertNull(f.join());
                assertEquals(1, rx.tryRecv(), "a send that won is delivered once");
            }
            assertNull(rx.tryRecv());
            conserved(ch);
        }

        @Override
        String leftover() {
            return queuedSenders(ch.receiver()) ? "a sender is still queued" : null;
        }
    }

    /** A full channel of capacity 1 holding 0; the wait reserves a slot; the grant receives 0. */
    static final class BoundedReserve extends Round {
        final Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        final CompletableFuture<Mpsc.Permit<Integer>> f;

        BoundedReserve() {
            assertTrue(ch.sender().trySend(0));
            f = ch.sender().reserve();
        }

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            assertEquals(0, ch.receiver().tryRecv());
        }

        @Override
        void check(boolean outsideWon) {
            Mpsc.Receiver<Integer> rx = ch.receiver();
            if (outsideWon) {
                assertEquals(1, rx.capacity(), "a withdrawn reservation must hold no slot");
            } else {
                assertEquals(0, rx.capacity(), "the granted permit holds the slot");
                f.join().send(1);
                assertEquals(1, rx.tryRecv());
            }
            assertNull(rx.tryRecv());
            conserved(ch);
        }

        @Override
        String leftover() {
            return queuedSenders(ch.receiver()) ? "a reservation is still queued" : null;
        }
    }

    /** Drained: the full capacity is free, and a new message goes through. */
    static void conserved(Mpsc.Channel<Integer> ch) {
        assertEquals(1, ch.receiver().capacity(), "capacity conserved");
        assertTrue(ch.sender().trySend(2), "trySend must succeed: nobody may be queued");
        assertEquals(2, ch.receiver().tryRecv());
        assertEquals(1, ch.receiver().capacity(), "capacity conserved");
    }

    /** A send on either flavor. */
    abstract static class Chan extends Round {
        final boolean bounded;
        final Mpsc.Channel<Integer> b;
        final Mpsc.UnboundedChannel<Integer> u;

        Chan(boolean bounded) {
            this.bounded = bounded;
            this.b = bounded ? Mpsc.channel(4) : null;
            this.u = bounded ? null : Mpsc.unboundedChannel();
        }

        Mpsc.AbstractReceiver<Integer> rx() {
            return bounded ? b.receiver() : u.receiver();
        }

        void send(int v) {
            if (bounded) {
                assertTrue(b.sender().trySend(v));
            } else {
                u.sender().send(v);
            }
        }

        /** After draining: nothing queued, every slot free, a new message goes through. */
        void drained() {
            assertNull(rx().tryRecv());
            assertEquals(0, rx().len());
            if (bounded) {
                assertEquals(4, b.receiver().capacity(), "capacity conserved");
            }
            send(9);
            assertEquals(9, rx().recv().join(), "a new receive works");
        }

        @Override
        String leftover() {
            try {
                rx().tryRecv(); // the channel is empty when this is asked: consumes nothing
                return null;
            } catch (IllegalStateException e) {
                return "a receive is still pending: " + e.getMessage();
            }
        }
    }

    /** An empty channel; the wait receives; the grant sends 0. */
    static final class Recv extends Chan {
        final CompletableFuture<Integer> f;

        Recv(boolean bounded) {
            super(bounded);
            f = rx().recv();
        }

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            send(0);
        }

        @Override
        void check(boolean outsideWon) {
            if (outsideWon) {
                assertEquals(0, rx().tryRecv(), "a withdrawn receive must consume nothing");
            } else {
                assertEquals(0, f.join());
            }
            drained();
        }
    }

    /** An empty channel; the wait receives up to 2 into a buffer; the grant sends 0 and 1. */
    static final class RecvMany extends Chan {
        final List<Integer> buffer = new ArrayList<>();
        final CompletableFuture<Integer> f;

        RecvMany(boolean bounded) {
            super(bounded);
            f = rx().recvMany(buffer, 2);
        }

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            send(0);
            send(1);
        }

        @Override
        void check(boolean outsideWon) {
            int n = 0;
            if (outsideWon) {
                assertEquals(List.of(), buffer, "a withdrawn recvMany must not touch the buffer");
            } else {
                n = f.join();
                assertTrue(n == 1 || n == 2, "count " + n);
                assertEquals(List.of(0, 1).subList(0, n), buffer);
            }
            for (int k = n; k < 2; k++) {
                assertEquals(k, rx().tryRecv(), "the rest follows in order");
            }
            drained();
        }
    }

    /**
     * {@code Sender.closed()} raced against the receiver's close. Nothing is consumed either way;
     * the registration of a withdrawn closed() wait is not observable through the API (the close
     * drains the list), so this checks the outcome's consistency and that the channel is closed.
     */
    static final class SenderClosed extends Round {
        final Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        final CompletableFuture<Void> f = ch.sender().closed();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            ch.receiver().close();
        }

        @Override
        void check(boolean outsideWon) {
            if (!outsideWon) {
                assertNull(f.join());
            }
            assertTrue(ch.sender().isClosed());
            assertTrue(ch.sender().closed().isDone(), "a later closed() is complete");
        }

        @Override
        String leftover() {
            return null; // not observable: see the class comment
        }
    }
}
