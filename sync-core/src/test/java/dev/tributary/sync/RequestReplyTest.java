package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's request/reply pattern — an mpsc of commands, each carrying a oneshot for its reply —
 * for 1,000,000 round trips on one thread, and the stack-depth guarantees behind it (docs/design.md
 * §3).
 *
 * <p>Two mechanisms keep the stack flat. A waiter's completion fired from inside another completion
 * is trampolined; and a receive that finds its value while the current thread is already inside a
 * completion returns a pending future that the outermost frame completes, so a server written as
 * plain recursion ({@code recv().thenAccept(c -> { reply; serve(); })}) stays flat. What no library
 * can flatten is recursion over futures that are complete before the caller's first completion ran
 * (plain {@code CompletableFuture} semantics): code that starts outside any completion loops while
 * its futures are already done, as the client and the first server step below do (Reactor's {@code
 * concatMap} does the same internally).
 */
@Timeout(120)
class RequestReplyTest {

    private static final long ROUNDS = 1_000_000;

    /** A request: a number to increment, and where to send the answer. */
    private record Command(long n, Oneshot.Sender<Long> reply) {}

    /**
     * Serves commands until the channel ends, replying n + 1. Loops while receives complete at
     * once; recurses only through a pending receive.
     */
    private static void serve(Mpsc.Receiver<Command> rx, AtomicLong served) {
        for (; ; ) {
            CompletableFuture<Command> next = rx.recv();
            if (!next.isDone()) {
                next.thenAccept(
                        cmd -> {
                            if (answer(cmd, served)) {
                                serve(rx, served);
                            }
                        });
                return;
            }
            if (!answer(next.join(), served)) {
                return;
            }
        }
    }

    private static boolean answer(Command cmd, AtomicLong served) {
        if (cmd == null) {
            return false;
        }
        served.incrementAndGet();
        cmd.reply().send(cmd.n() + 1);
        return true;
    }

    /** Sends requests from {@code i} on, each after the previous reply; same loop discipline. */
    private static void ask(
            Mpsc.Sender<Command> tx, long i, long rounds, CompletableFuture<Long> done) {
        for (long n = i; ; n++) {
            if (n == rounds) {
                done.complete(n);
                return;
            }
            Oneshot.Channel<Long> reply = Oneshot.channel();
            CompletableFuture<Long> answer =
                    tx.send(new Command(n, reply.sender()))
                            .thenCompose(sent -> reply.receiver().recv());
            long asked = n;
            if (!answer.isDone()) {
                answer.whenComplete(
                        (a, failure) -> {
                            if (check(asked, a, failure, done)) {
                                ask(tx, asked + 1, rounds, done);
                            }
                        });
                return;
            }
            if (!check(asked, answer.getNow(null), null, done)) {
                return;
            }
        }
    }

    private static boolean check(
            long asked, Long answer, Throwable failure, CompletableFuture<Long> done) {
        if (failure != null) {
            done.completeExceptionally(failure);
            return false;
        }
        if (answer != asked + 1) {
            done.completeExceptionally(
                    new AssertionError(
                            "reply to "
                                    + asked
                                    + " must be "
                                    + (asked + 1)
                                    + " but was "
                                    + answer));
            return false;
        }
        return true;
    }

    @Test
    void millionRoundTripsWithTheServerWaitingFirst() throws Exception {
        Mpsc.Channel<Command> ch = Mpsc.channel(10);
        AtomicLong served = new AtomicLong();
        serve(ch.receiver(), served);
        CompletableFuture<Long> done = new CompletableFuture<>();
        ask(ch.sender(), 0, ROUNDS, done);

        assertTrue(done.isDone(), "everything ran on this thread, inside the calls above");
        assertEquals(ROUNDS, done.get(0, TimeUnit.SECONDS));
        assertEquals(ROUNDS, served.get());
        ch.sender().close();
        assertTrue(ch.receiver().isClosed() && ch.receiver().isEmpty());
    }

    @Test
    void millionRoundTripsWithTheClientFirst() throws Exception {
        Mpsc.Channel<Command> ch = Mpsc.channel(1);
        CompletableFuture<Long> done = new CompletableFuture<>();
        ask(ch.sender(), 0, ROUNDS, done);
        assertEquals(1, ch.receiver().len(), "the first request waits for a server");
        AtomicLong served = new AtomicLong();
        serve(ch.receiver(), served);

        assertEquals(ROUNDS, done.get(0, TimeUnit.SECONDS));
        assertEquals(ROUNDS, served.get());
    }

    /** A server written as plain recursion, which is flat once it runs inside completions. */
    private static void recursiveServe(Mpsc.Receiver<Command> rx, AtomicLong served) {
        rx.recv()
                .thenAccept(
                        cmd -> {
                            if (answer(cmd, served)) {
                                recursiveServe(rx, served);
                            }
                        });
    }

    @Test
    void recursiveServerInsideCompletionsStaysFlat() throws Exception {
        Mpsc.Channel<Command> ch = Mpsc.channel(10);
        AtomicLong served = new AtomicLong();
        recursiveServe(ch.receiver(), served); // pending: nothing sent yet
        CompletableFuture<Long> done = new CompletableFuture<>();
        ask(ch.sender(), 0, ROUNDS, done);
        assertEquals(ROUNDS, done.get(0, TimeUnit.SECONDS));
        assertEquals(ROUNDS, served.get());
    }

    @Test
    void recursiveDrainOfAFullChannelInsideACompletionStaysFlat() throws Exception {
        // 200,000 values already queued; the draining recursion starts inside a completion, so
        // every recv() that finds a value is completed from the outermost frame.
        int count = 200_000;
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        for (int i = 0; i < count; i++) {
            ch.sender().send(i);
        }
        ch.sender().close();
        AtomicLong sum = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        Oneshot.Channel<String> start = Oneshot.channel();
        start.receiver().recv().thenRun(() -> drain(ch.receiver(), sum, done));
        start.sender().send("go");
        assertEquals((long) count * (count - 1) / 2, done.get(0, TimeUnit.SECONDS));
    }

    private static void drain(
            Mpsc.UnboundedReceiver<Integer> rx, AtomicLong sum, CompletableFuture<Long> done) {
        rx.recv()
                .thenAccept(
                        v -> {
                            if (v == null) {
                                done.complete(sum.get());
                            } else {
                                sum.addAndGet(v);
                                drain(rx, sum, done);
                            }
                        });
    }

    @Test
    void receivesInsideACompletionAreCompleteAtOnceAndJoinReturnsTheirValues() throws Exception {
        Mpsc.Channel<String> mpsc = Mpsc.channel(4);
        assertTrue(mpsc.sender().trySend("queued"));
        Oneshot.Channel<String> one = Oneshot.channel();
        one.sender().send("sent");
        Oneshot.Channel<String> start = Oneshot.channel();
        CompletableFuture<String> seen =
                start.receiver()
                        .recv()
                        .thenApply(
                                go -> {
                                    CompletableFuture<String> a = mpsc.receiver().recv();
                                    CompletableFuture<String> b = one.receiver().recv();
                                    // inside a completion, as outside: complete at once
                                    assertTrue(a.isDone());
                                    assertTrue(b.isDone());
                                    return a.join() + "+" + b.join();
                                });
        start.sender().send("go");
        assertEquals("queued+sent", seen.get(10, TimeUnit.SECONDS));
    }
}
