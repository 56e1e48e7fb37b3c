package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tests of {@link Broadcast.Receiver#recv()} called inside a completion that the library runs on
 * the current thread. A receive that finds something there (a value, a lag, the end) returns a
 * future that is already complete, exactly as outside a completion; its dependents are trampolined,
 * so recursive consumers keep a flat stack; and the cancel contract and the lag count stay exact (a
 * cancel of a complete future has no effect: the value was taken once).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastNestedRecvTest {

    /** Runs {@code body} inside a Oneshot completion (trampolined) and rethrows its failure. */
    private static void inCompletion(Runnable body) {
        Oneshot.Channel<String> start = Oneshot.channel();
        CompletableFuture<Void> ran = start.receiver().recv().thenRun(body);
        start.sender().send("go");
        assertTrue(ran.isDone(), "the completion ran in send()");
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
    void insideACompletionRecvIsAlreadyCompleteAndConsumesOnce() {
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
                        assertTrue(a.isDone(), "a value was there: complete at once");
                        assertEquals(2, rx.len(), "consumed by the receive");
                        seen.add(a.join());
                        seen.add(rx.recv().get());
                        seen.add(rx.recv().get(10, TimeUnit.SECONDS));
                        assertEquals(0, rx.len());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(List.of("a", "b", "c"), seen);
        assertNull(rx.tryRecv());
    }

    @Test
    void aCancelOfACompleteRecvHasNoEffectAndTheNextReceiveGetsTheNextValue() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().send("a");
        ch.sender().send("b");
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    CompletableFuture<String> f = rx.recv();
                    assertFalse(f.cancel(false), "already complete: the cancel loses");
                    assertFalse(f.complete("mine"), "already complete: complete loses");
                    held.add(f);
                });
        assertEquals("a", held.get(0).join());
        assertEquals("b", rx.tryRecv(), "a was taken exactly once");
        assertNull(rx.tryRecv());
    }

    @Test
    void aLagFoundInsideACompletionFailsAtOnceWithTheExactCountThenTheOldestValueFollows() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Receiver<Integer> rx = ch.receiver();
        for (int i = 0; i < 5; i++) {
            ch.sender().send(i);
        }
        inCompletion(
                () -> {
                    CompletableFuture<Integer> f = rx.recv();
                    assertTrue(f.isDone());
                    assertEquals(3, assertInstanceOf(LaggedException.class, failure(f)).missed());
                    assertEquals(3, rx.recv().join());
                });
        assertEquals(4, rx.tryRecv());
        assertNull(rx.tryRecv());
    }

    @Test
    void theEndOfTheStreamFoundInsideACompletionIsCompleteAtOnce() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> plain = ch.receiver();
        Broadcast.Receiver<String> caused = ch.sender().subscribe();
        ch.sender().closeChannel(new IllegalStateException("boom"));
        List<CompletableFuture<String>> held = new ArrayList<>();
        inCompletion(
                () -> {
                    held.add(plain.recv());
                    held.add(caused.recv());
                    assertTrue(held.get(0).isDone());
                    assertTrue(held.get(1).isDone());
                });
        Throwable t = failure(held.get(0));
        assertInstanceOf(ClosedException.class, t);
        assertEquals("boom", t.getCause().getMessage());
        ExecutionException e = assertThrows(ExecutionException.class, held.get(1)::get);
        assertSame(t.getCause(), e.getCause().getCause());
    }

    @Test
    void theEndOfAStreamClosedWithoutACauseIsNull() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Receiver<String> rx = ch.receiver();
        ch.sender().send("last");
        ch.sender().close();
        List<String> seen = new ArrayList<>();
        inCompletion(
                () -> {
                    seen.add(rx.recv().join());
                    seen.add(rx.recv().join());
                });
        assertEquals(Arrays.asList("last", null), seen);
        assertNull(rx.recv().join());
    }
}
