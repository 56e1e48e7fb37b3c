package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tests of {@link Broadcast.Receiver#recv()} called inside a completion that the library runs on
 * the current thread: a receive that finds something there (a value, a lag, the end) is delivered
 * from the outermost trampoline frame, so recursive consumers keep a flat stack, and the cancel
 * contract and the lag count stay exact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastDeferTest {

    /** Runs {@code body} inside a Oneshot completion (trampolined) and rethrows its failure. */
    private static void inCompletion(Runnable body) {
        Oneshot.Channel<String> start = Oneshot.channel();
        CompletableFuture<Void> ran = start.receiver().recv().thenRun(body);
        start.sender().send("go");
        assertTrue(ran.isDone(), "the completion (and every deferred delivery) ran in send()");
        try {
            ran.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AssertionError) {
                throw (AssertionError) e.getCause();
            }
            throw e;
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "expected a failed future but it was " + f);
        return assertThrows(CompletionException.class, f::join).getCause();
    }

    // ---- (1) recursion stays flat ----

    @Test
    void recursiveDrainOfAFullChannelInsideACompletionStaysFlat() throws Exception {
        int count = 200_000;
        Broadcast.Channel<Integer> ch = Broadcast.channel(262_144);
        for (int i = 0; i < count; i++) {
            ch.sender().send(i);
        }
        ch.sender().close();
        AtomicInteger expected = new AtomicInteger();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Oneshot.Channel<String> start = Oneshot.channel();
        start.receiver().recv().thenRun(() -> drain(ch.receiver(), expected, done));
        start.sender().send("go");
        // every delivery ran from the outermost frame of the send above
        assertTrue(done.isDone(), "the drain did not finish (StackOverflowError?): " + done);
        assertEquals(count, done.get(0, TimeUnit.SECONDS));
    }

    private static void drain(
            Broadcast.Receiver<Integer> rx,
            AtomicInteger expected,
            CompletableFuture<Integer> done) {
        rx.recv()
                .whenComplete(
                        (v, e) -> {
                            if (e != null) {
                                done.completeExceptionally(e);
                            } else if (v == null) {
                                done.complete(expected.get());
                            } else if (v != expected.getAndIncrement()) {
                                done.completeExceptionally(
                                        new AssertionError("out of order: " + v));
                            } else {
                                drain(rx, expected, done);
                            }
                        });
    }

    @Test
    void outsideACompletionRecvIsStillAlreadyComplete() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        ch.sender().send("a");
        CompletableFuture<String> f = ch.receiver().recv();
        assertTrue(f.isDone());
        assertEquals("a", f.join());
    }

    // ---- (2) join/get inside a completion run the deferred delivery ----

    @Test
    void joinAndGetInsideACompletionRunADeferredDeliveryInsteadOfWaitingForItself() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().send("a");
        ch.sender().send("b");
        ch.sender().send("c");
        List<String> seen = new ArrayList<>();
        inCompletion(
                () -> {
                    try {
                        CompletableFuture<String> a = rx.recv();
                        assertFalse(a.isDone(), "deferred inside a completion");
                        assertEquals(3, ch.sender().len(), "not consumed before delivery");
                        assertEquals(3, rx.len());
                        seen.add(a.join());
                        CompletableFuture<String> b = rx.recv();
                        assertFalse(b.isDone());
                        seen.add(b.get());
                        CompletableFuture<String> c = rx.recv();
                        assertFalse(c.isDone());
                        seen.add(c.get(10, TimeUnit.SECONDS));
                        assertEquals(0, rx.len());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(List.of("a", "b", "c"), seen);
        assertNull(rx.tryRecv());
    }

    @Test
    void aDeferredRecvCompletesOnceTheOuterCompletionReturns() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        ch.sender().send("a");
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = ch.receiver().recv();
                    assertFalse(f.isDone());
                    // still pending: a second receive on this receiver is refused
                    assertThrows(IllegalStateException.class, ch.receiver()::tryRecv);
                    held.add(f);
                });
        assertEquals("a", held.get(0).getNow(null));
        assertNull(ch.receiver().tryRecv());
    }

    // ---- (3) a cancel that wins consumes nothing ----

    @Test
    void cancelOfADeferredRecvConsumesNothing() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().send("a");
        ch.sender().send("b");
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = rx.recv();
                    assertFalse(f.isDone());
                    assertTrue(f.cancel(false), "the cancel wins before the outermost frame");
                    held.add(f);
                    // the next receive, still inside the completion, gets "a" (deferred again)
                    CompletableFuture<String> g = rx.recv();
                    assertFalse(g.isDone());
                    assertEquals("a", g.join());
                    CompletableFuture<String> h = rx.recv();
                    assertTrue(h.cancel(false));
                    held.add(h);
                });
        assertTrue(held.get(0).isCancelled());
        assertTrue(held.get(1).isCancelled());
        assertEquals("b", rx.tryRecv(), "the cancelled receive did not consume b");
        assertNull(rx.tryRecv());
        assertEquals(0, rx.len());
    }

    @Test
    void cancelOfADeferredLagLeavesTheLagToBeReportedExactly() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 0; i < 6; i++) {
            ch.sender().send(i);
        }
        List<CompletableFuture<Integer>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<Integer> f = rx.recv(); // a lag of 2, deferred
                    assertFalse(f.isDone());
                    assertTrue(f.cancel(false));
                    held.add(f);
                });
        assertThrows(CancellationException.class, held.get(0)::join);
        assertEquals(6, rx.len(), "the cursor did not move");
        ch.sender().send(6); // one more overwritten since: the lag is now 3
        LaggedException e = assertThrows(LaggedException.class, rx::tryRecv);
        assertEquals(3, e.missed());
        for (int i = 3; i <= 6; i++) {
            assertEquals(i, rx.tryRecv());
        }
        assertNull(rx.tryRecv());
    }

    @Test
    void completingADeferredRecvFromOutsideWinsAndConsumesNothing() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().send("a");
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = rx.recv();
                    assertTrue(f.complete("mine"));
                    held.add(f);
                });
        assertEquals("mine", held.get(0).join());
        assertEquals("a", rx.tryRecv());
    }

    // ---- (4) lag and end of stream, deferred ----

    @Test
    void aLaggedReceiversDeferredRecvFailsWithTheExactCount() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 0; i < 10; i++) {
            ch.sender().send(i);
        }
        List<CompletableFuture<Integer>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<Integer> f = rx.recv();
                    assertFalse(f.isDone(), "a lag is deferred too");
                    held.add(f);
                    // the deferred receive is pending: a second one is refused
                    assertThrows(IllegalStateException.class, rx::recv);
                });
        LaggedException e = assertInstanceOf(LaggedException.class, failure(held.get(0)));
        assertEquals(6, e.missed());
        for (int i = 6; i < 10; i++) {
            assertEquals(i, rx.tryRecv());
        }
        assertNull(rx.tryRecv());
    }

    @Test
    void aLagJoinedInsideTheCompletionThrowsTheExactCountThenTheOldestValueFollows() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 0; i < 5; i++) {
            ch.sender().send(i);
        }
        inCompletion(
                () -> {
                    CompletableFuture<Integer> f = rx.recv();
                    assertFalse(f.isDone());
                    CompletionException e = assertThrows(CompletionException.class, f::join);
                    assertEquals(3, assertInstanceOf(LaggedException.class, e.getCause()).missed());
                    CompletableFuture<Integer> g = rx.recv();
                    assertFalse(g.isDone());
                    assertEquals(3, g.join());
                });
        assertEquals(4, rx.tryRecv());
    }

    @Test
    void theEndOfTheStreamIsDeferredToo() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> plain = ch.receiver();
        Broadcast.Receiver<String> caused = ch.sender().subscribe();
        ch.sender().closeChannel(new IllegalStateException("boom"));
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = plain.recv();
                    assertFalse(f.isDone());
                    held.add(f);
                    CompletableFuture<String> g = caused.recv();
                    assertFalse(g.isDone());
                    held.add(g);
                });
        Throwable t = failure(held.get(0));
        assertInstanceOf(ClosedException.class, t);
        assertEquals("boom", t.getCause().getMessage());
        ExecutionException e = assertThrows(ExecutionException.class, held.get(1)::get);
        assertSame(t.getCause(), e.getCause().getCause());
    }

    @Test
    void theEndOfAStreamClosedWithoutACauseIsNullDeferred() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().send("last");
        ch.sender().close();
        List<String> seen = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = rx.recv();
                    assertFalse(f.isDone());
                    seen.add(f.join());
                    CompletableFuture<String> g = rx.recv();
                    assertFalse(g.isDone());
                    seen.add(g.join());
                });
        assertEquals(java.util.Arrays.asList("last", null), seen);
        assertNull(rx.recv().join());
    }

    @Test
    void closingTheReceiverCancelsAPendingDeferredRecv() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> other = ch.sender().subscribe();
        ch.sender().send("a");
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = ch.receiver().recv();
                    ch.receiver().close();
                    held.add(f);
                });
        assertTrue(held.get(0).isCancelled());
        assertEquals("a", other.tryRecv());
    }
}
