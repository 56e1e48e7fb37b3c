package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviour of {@link Oneshot}, ported from tokio's {@code tokio/tests/sync_oneshot.rs} (one test
 * per tokio test, same names in camelCase; tokio's polls become futures that are pending or
 * complete, wakers become completions), plus what tokio has no counterpart for: closing with a
 * cause, the blocking forms (interrupt, timeout), the {@code isTerminated}/{@code isEmpty} truth
 * table, cancellation of a pending receive, and a 10⁶-round chain of replies on one thread.
 */
@Timeout(60)
class OneshotTest {

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static boolean recvPending(Oneshot.Receiver<?> rx) {
        return (rx.core.state & OneshotCore.RX_WAITING) != 0;
    }

    // ---- ported from sync_oneshot.rs ----

    @Test
    void sendRecv() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> rx = ch.receiver().recv();
        assertFalse(rx.isDone());
        ch.sender().send(1);
        assertTrue(rx.isDone(), "completed by the sending thread");
        assertEquals(1, rx.get());
    }

    @Test
    void asyncSendRecv() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(1);
        CompletableFuture<Integer> rx = ch.receiver().recv();
        assertTrue(rx.isDone(), "a recv that finds the value is already complete");
        assertEquals(1, rx.get());
    }

    @Test
    void closeTx() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> rx = ch.receiver().recv();
        assertFalse(rx.isDone());
        ch.sender().close();
        assertTrue(rx.isDone());
        assertInstanceOf(ClosedException.class, failure(rx));
    }

    @Test
    void closeRx() {
        // First, without checking closed()
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.receiver().close();
        assertThrows(ClosedException.class, () -> ch.sender().send(1));

        // Second, via closed()
        Oneshot.Channel<Integer> ch2 = Oneshot.channel();
        CompletableFuture<Void> closed = ch2.sender().closed();
        assertFalse(closed.isDone());
        ch2.receiver().close();
        assertTrue(closed.isDone());
        assertTrue(ch2.sender().isClosed());
        assertTrue(ch2.sender().closed().isDone());
        assertThrows(ClosedException.class, () -> ch2.sender().send(1));
    }

    @Test
    void asyncRxClosed() throws Exception {
        Oneshot.Channel<Void> ch = Oneshot.channel();
        Thread t = new Thread(ch.receiver()::close);
        t.start();
        Race.await(ch.sender().closed());
        t.join();
    }

    @Test
    void explicitClosePoll() throws Exception {
        // First, with message sent
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(1);
        ch.receiver().close();
        assertEquals(1, ch.receiver().recv().get());

        // Second, without the message sent
        Oneshot.Channel<Integer> ch2 = Oneshot.channel();
        CompletableFuture<Void> closed = ch2.sender().closed();
        assertFalse(closed.isDone());
        ch2.receiver().close();
        assertTrue(closed.isDone());
        assertTrue(ch2.sender().isClosed());
        assertThrows(ClosedException.class, () -> ch2.sender().send(1));
        assertInstanceOf(ClosedException.class, failure(ch2.receiver().recv()));

        // Again, but without sending the value this time
        Oneshot.Channel<Integer> ch3 = Oneshot.channel();
        CompletableFuture<Void> closed3 = ch3.sender().closed();
        assertFalse(closed3.isDone());
        ch3.receiver().close();
        assertTrue(closed3.isDone());
        assertTrue(ch3.sender().isClosed());
        assertInstanceOf(ClosedException.class, failure(ch3.receiver().recv()));
    }

    @Test
    void explicitCloseTryRecv() {
        // First, with message sent
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(1);
        ch.receiver().close();
        assertEquals(1, ch.receiver().tryRecv());

        // Second, without the message sent
        Oneshot.Channel<Integer> ch2 = Oneshot.channel();
        CompletableFuture<Void> closed = ch2.sender().closed();
        assertFalse(closed.isDone());
        ch2.receiver().close();
        assertTrue(closed.isDone());
        assertTrue(ch2.sender().isClosed());
        assertThrows(ClosedException.class, () -> ch2.receiver().tryRecv());
    }

    /** tokio panics on a poll after try_recv reported Closed; here recv() fails the same way. */
    @Test
    void closeTryRecvPoll() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.receiver().close();
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertInstanceOf(ClosedException.class, failure(ch.receiver().recv()));
    }

    @Test
    void closeAfterRecv() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(17);
        assertEquals(17, ch.receiver().tryRecv());
        ch.receiver().close();
    }

    @Test
    void tryRecvAfterCompletion() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(17);
        assertEquals(17, ch.receiver().tryRecv());
        ClosedException e = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertTrue(e.getMessage().contains("already received"), e.getMessage());
        ch.receiver().close();
    }

    @Test
    void tryRecvAfterCompletionAwait() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> f = ch.receiver().recv();
        ch.sender().send(17);
        assertEquals(17, f.get());
        assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        ch.receiver().close();
    }

    /**
     * tokio checks that dropping both handles releases both wakers. Here: closing both ends settles
     * both pending futures, and nothing stays linked.
     */
    @Test
    void dropsTasks() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Void> closed = ch.sender().closed();
        CompletableFuture<Integer> rx = ch.receiver().recv();
        ch.sender().close();
        ch.receiver().close();
        assertTrue(closed.isDone());
        assertInstanceOf(ClosedException.class, failure(rx));
        assertSame(OneshotClosedWaiter.RECEIVER_CLOSED, ch.sender().core.closedWaiters);
    }

    /**
     * tokio re-polls the receiver from a second task, which replaces the first waker. Here a
     * receive is one future: the first is cancelled, a second takes over and gets the value.
     */
    @Test
    void receiverChangesTask() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> first = ch.receiver().recv();
        assertTrue(first.cancel(false));
        assertFalse(recvPending(ch.receiver()), "the cancelled receive left");
        CompletableFuture<Integer> second = ch.receiver().recv();
        ch.sender().send(1);
        assertTrue(first.isCancelled());
        assertEquals(1, second.get());
    }

    /** tokio moves the closed() waker to a second task; here every closed() future completes. */
    @Test
    void senderChangesTask() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Void> first = ch.sender().closed();
        CompletableFuture<Void> second = ch.sender().closed();
        assertFalse(first.isDone());
        assertFalse(second.isDone());
        ch.receiver().close();
        assertTrue(first.isDone());
        assertTrue(second.isDone());
    }

    @Test
    void receiverIsTerminatedSend() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertFalse(rx.isTerminated(), "channel is NOT terminated before value is sent");
        ch.sender().send(17);
        assertFalse(rx.isTerminated(), "channel is NOT terminated after value is sent");
        assertEquals(17, rx.recv().get());
        assertTrue(rx.isTerminated(), "channel IS terminated after value is read");
    }

    @Test
    void receiverIsTerminatedTryRecv() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertFalse(rx.isTerminated());
        ch.sender().send(17);
        assertFalse(rx.isTerminated());
        assertEquals(17, rx.tryRecv());
        assertTrue(rx.isTerminated());
    }

    /**
     * Deviation: tokio reports terminated only once a poll has returned the error; here the state
     * decides, so it is terminated as soon as the sender closed without a value.
     */
    @Test
    void receiverIsTerminatedDrop() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertFalse(rx.isTerminated(), "channel is NOT terminated before sender is closed");
        ch.sender().close();
        assertTrue(rx.isTerminated(), "nothing can ever be received (tokio: only after a poll)");
        assertInstanceOf(ClosedException.class, failure(rx.recv()));
        assertTrue(rx.isTerminated());
    }

    /** Deviation as in {@link #receiverIsTerminatedDrop()}. */
    @Test
    void receiverIsTerminatedRxClose() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertFalse(rx.isTerminated(), "channel is NOT terminated before closing");
        rx.close();
        assertTrue(rx.isTerminated(), "nothing can ever be received (tokio: only after a poll)");
        assertInstanceOf(ClosedException.class, failure(rx.recv()));
        assertTrue(rx.isTerminated());
    }

    @Test
    void receiverIsEmptySend() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertTrue(rx.isEmpty(), "channel IS empty before value is sent");
        ch.sender().send(17);
        assertFalse(rx.isEmpty(), "channel is NOT empty after value is sent");
        assertEquals(17, rx.recv().get());
        assertTrue(rx.isEmpty(), "channel IS empty after value is read");
    }

    @Test
    void receiverIsEmptyTryRecv() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertTrue(rx.isEmpty());
        ch.sender().send(17);
        assertFalse(rx.isEmpty());
        assertEquals(17, rx.tryRecv());
        assertTrue(rx.isEmpty());
    }

    @Test
    void receiverIsEmptyDrop() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        Oneshot.Receiver<Integer> rx = ch.receiver();
        assertTrue(rx.isEmpty());
        ch.sender().close();
        assertTrue(rx.isEmpty());
        assertInstanceOf(ClosedException.class, failure(rx.recv()));
        assertTrue(rx.isEmpty());
    }

    @Test
    void receiverIsEmptyRxClose() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        assertTrue(ch.receiver().isEmpty());
        ch.receiver().close();
        assertTrue(ch.receiver().isEmpty());
    }

    // ---- beyond tokio ----

    /** isTerminated / isEmpty in every reachable state. */
    @Test
    void terminatedAndEmptyTruthTable() throws Exception {
        // state                                   isTerminated isEmpty
        // fresh                                        F          T
        // receive pending, nothing sent                F          T
        // value sent                                   F          F
        // value sent, receiver closed                  F          F
        // value received                               T          T
        // sender closed without value                  T          T
        // sender closed with a cause                   T          T
        // receiver closed, nothing sent                T          T
        // value received, then receiver closed         T          T
        Oneshot.Channel<Integer> fresh = Oneshot.channel();
        check(fresh.receiver(), false, true);

        Oneshot.Channel<Integer> pending = Oneshot.channel();
        CompletableFuture<Integer> f = pending.receiver().recv();
        check(pending.receiver(), false, true);
        f.cancel(false);
        check(pending.receiver(), false, true);

        Oneshot.Channel<Integer> sent = Oneshot.channel();
        sent.sender().send(1);
        check(sent.receiver(), false, false);
        sent.receiver().close();
        check(sent.receiver(), false, false);
        assertEquals(1, sent.receiver().tryRecv());
        check(sent.receiver(), true, true);

        Oneshot.Channel<Integer> received = Oneshot.channel();
        CompletableFuture<Integer> r = received.receiver().recv();
        received.sender().send(2);
        assertEquals(2, r.get());
        check(received.receiver(), true, true);
        received.receiver().close();
        check(received.receiver(), true, true);

        Oneshot.Channel<Integer> txClosed = Oneshot.channel();
        txClosed.sender().close();
        check(txClosed.receiver(), true, true);

        Oneshot.Channel<Integer> cause = Oneshot.channel();
        cause.sender().closeChannel(new RuntimeException("boom"));
        check(cause.receiver(), true, true);

        Oneshot.Channel<Integer> rxClosed = Oneshot.channel();
        rxClosed.receiver().close();
        check(rxClosed.receiver(), true, true);
    }

    private static void check(Oneshot.Receiver<?> rx, boolean terminated, boolean empty) {
        assertEquals(terminated, rx.isTerminated(), () -> "isTerminated of " + rx);
        assertEquals(empty, rx.isEmpty(), () -> "isEmpty of " + rx);
    }

    @Test
    void closeChannelWithCause() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> pending = ch.receiver().recv();
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertTrue(ch.sender().closeChannel(boom));
        assertFalse(ch.sender().closeChannel(new RuntimeException("ignored")));
        Throwable t = failure(pending);
        assertInstanceOf(ClosedException.class, t);
        assertSame(boom, t.getCause());
        ClosedException later = assertThrows(ClosedException.class, () -> ch.receiver().tryRecv());
        assertSame(boom, later.getCause());
        assertSame(boom, failure(ch.receiver().recv()).getCause());
    }

    @Test
    void closeChannelAfterSendOrReceiverCloseReturnsFalse() throws Exception {
        Oneshot.Channel<Integer> sent = Oneshot.channel();
        sent.sender().send(1);
        assertFalse(sent.sender().closeChannel(new RuntimeException("ignored")));
        assertEquals(1, sent.receiver().recv().get(), "the value is still there");

        Oneshot.Channel<Integer> rxClosed = Oneshot.channel();
        rxClosed.receiver().close();
        assertFalse(rxClosed.sender().closeChannel(new RuntimeException("ignored")));
        ClosedException e =
                assertThrows(ClosedException.class, () -> rxClosed.receiver().tryRecv());
        assertNull(e.getCause());
    }

    @Test
    void plainCloseHasNoCause() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().close();
        ch.sender().close(); // idempotent
        assertNull(failure(ch.receiver().recv()).getCause());
    }

    @Test
    void closedFutureIsCancelSafe() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        for (int i = 0; i < 1_000; i++) {
            assertTrue(ch.sender().closed().cancel(false));
        }
        assertTrue(
                ch.sender().core.closedWaiters == null, "withdrawn closed() waiters are dropped");
        CompletableFuture<Void> kept = ch.sender().closed();
        ch.receiver().close();
        assertTrue(kept.isDone());
        assertFalse(kept.isCompletedExceptionally());
    }

    @Test
    void cancelledRecvConsumesNothing() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> f = ch.receiver().recv();
        assertTrue(f.cancel(false));
        ch.sender().send(5);
        assertEquals(5, ch.receiver().tryRecv());

        Oneshot.Channel<Integer> ch2 = Oneshot.channel();
        CompletableFuture<Integer> timedOut =
                ch2.receiver().recv().orTimeout(1, TimeUnit.MILLISECONDS);
        assertInstanceOf(java.util.concurrent.TimeoutException.class, failure(timedOut));
        ch2.sender().send(6);
        assertEquals(6, ch2.receiver().recv().get());
    }

    /**
     * A value handed to a pending receive whose future is completed from outside before the
     * (trampolined) completion lands goes back to the channel: the continuation that observes the
     * cancellation already finds it.
     */
    @Test
    void valueHandedToACancelledReceiveGoesBack() throws Exception {
        Oneshot.Channel<Integer> outer = Oneshot.channel();
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> victim = ch.receiver().recv();
        AtomicReference<Integer> seen = new AtomicReference<>();
        // Inside outer's completion, dive until a completion is deferred by the trampoline, so
        // that victim's completion is deferred too, and cancel it before it runs.
        AtomicBoolean ran = new AtomicBoolean();
        outer.receiver()
                .recv()
                .thenAccept(
                        x ->
                                dive(
                                        ran,
                                        () -> {
                                            ch.sender().send(7); // claims victim
                                            assertFalse(victim.isDone(), "completion deferred");
                                            assertTrue(victim.cancel(false));
                                            assertFalse(ch.receiver().isEmpty());
                                            seen.set(ch.receiver().tryRecv());
                                        }));
        outer.sender().send(0);
        assertTrue(ran.get());
        assertEquals(7, seen.get());
        assertTrue(victim.isCancelled());
        assertTrue(ch.receiver().isTerminated());
    }

    /**
     * Nests trampolined completions until one is deferred (the trampoline is at its depth limit),
     * then runs {@code r} there, once.
     */
    private static void dive(AtomicBoolean ran, Runnable r) {
        if (ran.get()) {
            return;
        }
        Oneshot.Channel<Integer> c = Oneshot.channel();
        AtomicBoolean inline = new AtomicBoolean();
        c.receiver()
                .recv()
                .thenAccept(
                        x -> {
                            inline.set(true);
                            dive(ran, r);
                        });
        c.sender().send(1);
        if (!inline.get() && ran.compareAndSet(false, true)) {
            r.run();
        }
    }

    @Test
    void blockingRecvGetsAValueSentLater() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                got.complete(ch.receiver().blockingRecv());
                            } catch (Throwable e) {
                                got.completeExceptionally(e);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> recvPending(ch.receiver()));
        ch.sender().send(3);
        assertEquals(3, Race.await(got));
        t.join();
        assertTrue(ch.receiver().isTerminated());
    }

    @Test
    void blockingRecvFailsWhenTheSenderCloses() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                got.complete(ch.receiver().blockingRecv());
                            } catch (Throwable e) {
                                got.completeExceptionally(e);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> recvPending(ch.receiver()));
        RuntimeException cause = new RuntimeException("gone");
        ch.sender().closeChannel(cause);
        Throwable e = failure(got);
        assertInstanceOf(ClosedException.class, e);
        assertSame(cause, e.getCause());
        t.join();
    }

    @Test
    void blockingRecvInterruptWithdraws() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                got.complete(ch.receiver().blockingRecv());
                            } catch (Throwable e) {
                                got.completeExceptionally(e);
                            }
                        });
        t.start();
        Race.awaitTrue(() -> recvPending(ch.receiver()));
        t.interrupt();
        assertInstanceOf(InterruptedException.class, failure(got));
        t.join();
        assertFalse(recvPending(ch.receiver()));
        ch.sender().send(4);
        assertEquals(4, ch.receiver().tryRecv(), "the interrupted receive took nothing");
    }

    @Test
    void blockingRecvInterruptedOnEntryThrows() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().send(1);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> ch.receiver().blockingRecv());
        assertFalse(Thread.interrupted());
        assertEquals(1, ch.receiver().tryRecv());
    }

    @Test
    void blockingRecvTimeout() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        assertNull(ch.receiver().blockingRecv(Duration.ofMillis(20)));
        assertNull(ch.receiver().blockingRecv(Duration.ZERO));
        assertFalse(recvPending(ch.receiver()));
        assertNull(ch.receiver().tryRecv());
        ch.sender().send(8);
        assertEquals(8, ch.receiver().blockingRecv(Duration.ZERO));
        assertThrows(ClosedException.class, () -> ch.receiver().blockingRecv(Duration.ofMillis(1)));
    }

    @Test
    void blockingRecvTimedGetsAValue() throws Exception {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Integer> got = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            started.countDown();
                            try {
                                got.complete(ch.receiver().blockingRecv(Duration.ofSeconds(30)));
                            } catch (Throwable e) {
                                got.completeExceptionally(e);
                            }
                        });
        t.start();
        started.await();
        Race.awaitTrue(() -> recvPending(ch.receiver()));
        ch.sender().send(9);
        assertEquals(9, Race.await(got));
        t.join();
    }

    @Test
    void blockingRecvOnClosedReceiver() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.receiver().close();
        assertThrows(ClosedException.class, () -> ch.receiver().blockingRecv());
    }

    @Test
    void joinSurfacesClosedException() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        ch.sender().close();
        CompletionException e =
                assertThrows(CompletionException.class, () -> ch.receiver().recv().join());
        assertInstanceOf(ClosedException.class, e.getCause());
    }

    /**
     * A million replies chained on one thread: each reply's continuation creates the next channel,
     * queues a receive on it, and sends on it. Completing inline would recurse once per round and
     * overflow the stack (the test JVM runs with {@code -Xss1m}); the trampoline bounds the depth.
     */
    @Test
    void millionChainedRepliesDoNotGrowTheStack() throws Exception {
        Chain chain = new Chain();
        chain.next(0);
        assertTrue(chain.done.isDone(), "the whole chain ran on this thread");
        assertEquals(Chain.ROUNDS, chain.done.get());
        assertTrue(chain.maxFrames < 5_000, "stack grew to " + chain.maxFrames + " frames");
    }

    private static final class Chain {
        static final int ROUNDS = 1_000_000;
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        int maxFrames;

        void next(int n) {
            try {
                if (n % 50_000 == 0) {
                    maxFrames = Math.max(maxFrames, Thread.currentThread().getStackTrace().length);
                }
                if (n == ROUNDS) {
                    done.complete(n);
                    return;
                }
                Oneshot.Channel<Integer> reply = Oneshot.channel();
                CompletableFuture<Integer> f = reply.receiver().recv();
                if (f.isDone()) {
                    throw new AssertionError("recv() must wait before the send");
                }
                f.thenAccept(this::next);
                reply.sender().send(n + 1);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }
    }

    @Test
    void toStringDescribesTheState() {
        Oneshot.Channel<Integer> ch = Oneshot.channel();
        assertTrue(ch.receiver().toString().contains("empty"), ch.receiver().toString());
        ch.sender().send(1);
        assertTrue(ch.sender().toString().contains("value ready"), ch.sender().toString());
    }

    @Test
    void recvInsideACompletionIsCompleteAtOnceAndACancelLoses() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("v");
        Oneshot.Channel<String> start = Oneshot.channel();
        AtomicReference<CompletableFuture<String>> inner = new AtomicReference<>();
        CompletableFuture<Void> body =
                start.receiver()
                        .recv()
                        .thenAccept(
                                go -> {
                                    CompletableFuture<String> f = ch.receiver().recv();
                                    inner.set(f);
                                    assertTrue(f.isDone(), "the value was there: complete at once");
                                    assertFalse(f.cancel(false), "complete: the cancel loses");
                                });
        start.sender().send("go");
        body.get(10, TimeUnit.SECONDS);
        assertEquals("v", inner.get().join());
        assertTrue(ch.receiver().isTerminated(), "the value was taken");
    }

    @Test
    void aDependentOfARecvInsideAShallowCompletionRunsBeforeTheAttachReturns() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("v");
        Oneshot.Channel<String> start = Oneshot.channel();
        StringBuilder events = new StringBuilder();
        CompletableFuture<Void> body =
                start.receiver()
                        .recv()
                        .thenAccept(
                                go -> {
                                    ch.receiver().recv().thenAccept(v -> events.append("got " + v));
                                    events.append("; body returns");
                                });
        start.sender().send("go");
        body.get(10, TimeUnit.SECONDS);
        assertEquals("got v; body returns", events.toString(), "shallow: inline, as in the JDK");
    }
}
