package dev.tributary.sync;

import static dev.tributary.sync.Race.race;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Races on {@link Oneshot} in loops of thousands of iterations, each checking the invariants that
 * must hold whatever the interleaving: a value is delivered exactly once or the send reports the
 * closed receiver; a cancelled receive never loses the value; {@code closed()} is never missed; a
 * blocking receive interrupted in the race either returns the value or leaves it in the channel.
 * Not a tokio port (tokio checks these with loom in {@code tokio/src/sync/tests/loom_oneshot.rs}).
 */
@Timeout(120)
class OneshotRaceTest {
    private static final int ITERATIONS = 2_000;

    @Test
    void sendVersusReceiverClose() throws Exception {
        int closedSends = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Void> closed = ch.sender().closed();
            AtomicReference<Throwable> sendError = new AtomicReference<>();
            int v = i;
            race(
                    () -> {
                        try {
                            ch.sender().send(v);
                        } catch (Throwable t) {
                            sendError.set(t);
                        }
                    },
                    ch.receiver()::close);
            assertTrue(closed.isDone(), "closed() completes on the receiver's close");
            assertTrue(ch.sender().isClosed());
            Integer got;
            try {
                got = ch.receiver().tryRecv();
            } catch (ClosedException e) {
                got = null;
            }
            if (sendError.get() != null) {
                closedSends++;
                assertInstanceOf(ClosedException.class, sendError.get());
                assertNull(got, "a failed send stored nothing");
                assertTrue(ch.receiver().isTerminated());
            } else {
                assertEquals(v, got, "a successful send stays readable after close");
            }
        }
        System.out.println("sendVersusReceiverClose: " + closedSends + " sends saw the close");
    }

    @Test
    void sendVersusRecvCancel() throws Exception {
        int delivered = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Integer> f = ch.receiver().recv();
            int v = i;
            AtomicBoolean cancelled = new AtomicBoolean();
            race(() -> ch.sender().send(v), () -> cancelled.set(f.cancel(false)));
            if (cancelled.get()) {
                assertTrue(f.isCancelled());
                assertEquals(v, ch.receiver().tryRecv(), "the cancelled receive consumed nothing");
            } else {
                delivered++;
                assertEquals(v, Race.await(f));
                assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
            }
            assertTrue(ch.receiver().isTerminated());
        }
        System.out.println("sendVersusRecvCancel: " + delivered + " delivered before the cancel");
    }

    /** The receiving side cancels and, once cancel() returned, must find the value at once. */
    @Test
    void sendVersusCancelThenTryRecv() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Integer> f = ch.receiver().recv();
            int v = i;
            AtomicReference<Object> after = new AtomicReference<>();
            race(
                    () -> ch.sender().send(v),
                    () -> {
                        boolean withdrawn =
                                v % 2 == 0
                                        ? f.cancel(false)
                                        : f.completeExceptionally(new TimeoutException());
                        if (withdrawn) {
                            try {
                                after.set(ch.receiver().tryRecv());
                            } catch (RuntimeException e) {
                                after.set(e);
                            }
                        } else {
                            after.set("delivered");
                        }
                    });
            Object a = after.get();
            if ("delivered".equals(a)) {
                assertEquals(v, Race.await(f));
            } else if (a == null) {
                // tryRecv ran before the send: the value is there now
                assertEquals(v, ch.receiver().tryRecv());
            } else {
                assertEquals(v, a, "a receive after the withdrawal finds the value");
            }
            assertTrue(ch.receiver().isTerminated());
        }
    }

    /** completeOnTimeout-style: the future is completed from outside with another value. */
    @Test
    void sendVersusOutsideCompletion() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Integer> f = ch.receiver().recv();
            int v = i;
            AtomicBoolean outside = new AtomicBoolean();
            race(() -> ch.sender().send(v), () -> outside.set(f.complete(-1)));
            if (outside.get()) {
                assertEquals(-1, f.join());
                assertEquals(v, Race.await(ch.receiver().recv()), "the value went back");
            } else {
                assertEquals(v, f.join());
                assertTrue(ch.receiver().isTerminated());
            }
        }
    }

    @Test
    void recvVersusSend() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            AtomicReference<CompletableFuture<Integer>> f = new AtomicReference<>();
            int v = i;
            race(() -> f.set(ch.receiver().recv()), () -> ch.sender().send(v));
            assertEquals(v, Race.await(f.get()));
            assertTrue(ch.receiver().isTerminated());
            assertTrue(ch.receiver().isEmpty());
        }
    }

    @Test
    void recvVersusSenderClose() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            AtomicReference<CompletableFuture<Integer>> f = new AtomicReference<>();
            RuntimeException cause = new RuntimeException("cause " + i);
            race(() -> f.set(ch.receiver().recv()), () -> ch.sender().closeChannel(cause));
            Throwable t = assertThrows(Exception.class, () -> Race.await(f.get())).getCause();
            assertInstanceOf(ClosedException.class, t);
            assertSame(cause, t.getCause());
        }
    }

    /** Sender close vs receiver close with a receive and a closed() pending. */
    @Test
    void senderCloseVersusReceiverClose() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Void> closed = ch.sender().closed();
            CompletableFuture<Integer> f = ch.receiver().recv();
            race(ch.sender()::close, ch.receiver()::close);
            assertTrue(closed.isDone());
            assertTrue(f.isCompletedExceptionally());
            assertInstanceOf(
                    ClosedException.class,
                    assertThrows(Exception.class, () -> Race.await(f)).getCause());
            assertTrue(ch.receiver().isTerminated());
            assertThrows(IllegalStateException.class, () -> ch.sender().send(1));
        }
    }

    /** closed() registration (and its cancellation) vs the receiver's close: no lost wake-up. */
    @Test
    void closedRegistrationVersusReceiverClose() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Void> early = ch.sender().closed();
            AtomicReference<CompletableFuture<Void>> late = new AtomicReference<>();
            race(
                    () -> {
                        ch.sender().closed().cancel(false);
                        late.set(ch.sender().closed());
                    },
                    ch.receiver()::close);
            Race.await(late.get());
            assertTrue(early.isDone());
            assertFalse(early.isCompletedExceptionally());
        }
    }

    @Test
    void blockingRecvVersusSendWithInterrupt() throws Exception {
        int interrupted = 0;
        for (int i = 0; i < ITERATIONS / 2; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    outcome.complete(ch.receiver().blockingRecv());
                                } catch (Throwable e) {
                                    outcome.complete(e);
                                }
                            });
            t.start();
            Race.awaitTrue(() -> (ch.receiver().core.state & OneshotCore.RX_WAITING) != 0);
            int v = i;
            race(() -> ch.sender().send(v), t::interrupt);
            Object o = Race.await(outcome);
            t.join();
            if (o instanceof InterruptedException) {
                interrupted++;
                assertEquals(v, ch.receiver().tryRecv(), "the interrupted receive took nothing");
            } else {
                assertEquals(v, o);
                assertTrue(ch.receiver().isTerminated());
            }
        }
        System.out.println("blockingRecvVersusSendWithInterrupt: " + interrupted + " interrupted");
    }

    /** Two receives racing from two threads: one registers, the other is rejected, nothing lost. */
    @Test
    void racingReceivesFromTwoThreads() throws Exception {
        for (int i = 0; i < ITERATIONS; i++) {
            Oneshot.Channel<Integer> ch = Oneshot.channel();
            AtomicReference<Object> a = new AtomicReference<>();
            AtomicReference<Object> b = new AtomicReference<>();
            int n = i;
            race(() -> a.set(attemptRecv(ch, n)), () -> b.set(attemptRecv(ch, n)));
            Object futureSide = a.get() instanceof CompletableFuture ? a.get() : b.get();
            Object otherSide = futureSide == a.get() ? b.get() : a.get();
            assertInstanceOf(CompletableFuture.class, futureSide);
            assertInstanceOf(IllegalStateException.class, otherSide);
            ch.sender().send(i);
            @SuppressWarnings("unchecked")
            CompletableFuture<Integer> f = (CompletableFuture<Integer>) futureSide;
            assertEquals(i, Race.await(f));
            assertTrue(ch.receiver().isTerminated());
        }
    }

    /** recv(), preceded by a tryRecv on odd iterations; a failure is returned. */
    private static Object attemptRecv(Oneshot.Channel<Integer> ch, int i) {
        try {
            if (i % 2 == 1) {
                ch.receiver().tryRecv(); // empty: also a receive, racing the other's registration
            }
            return ch.receiver().recv();
        } catch (RuntimeException e) {
            return e;
        }
    }
}
