package dev.tributary.sync;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request/reply with both sides written as plain recursion through continuations — an mpsc of
 * capacity 1 carrying requests, each with a {@link Oneshot.Sender} for its reply; the server is
 * {@code rx.recv().thenAccept(req -> { reply; serve(); })}, the client {@code
 * tx.send(req).thenCompose(v -> reply.recv()).thenAccept(a -> ask(next))} — for a million rounds,
 * started from a plain thread with a 256 KiB stack (no completion of the library is running when
 * the loops start). Three variants: the server's receive registered first (it waits for the first
 * request), the client first (its first request is buffered before the server starts), and one
 * chain per round in which every future is already complete when its continuation is attached (the
 * fast path throughout).
 *
 * <p>Whatever the loops throw, or their dependent stages fail with, is recorded, and {@link
 * DeepLoop#run} asserts the number of rounds (counted by the client), the absence of throwables,
 * and a bounded stack depth. Not a port of a tokio test: tokio's tasks are polled by the runtime,
 * so the problem does not arise there.
 */
@Timeout(60)
class RequestReplyStackSafetyTest {

    /** A number to increment, and where to send the answer. */
    private record Request(int n, Oneshot.Sender<Integer> reply) {}

    /** Serves requests as recursion until the channel ends. */
    private static void serve(DeepLoop l, Mpsc.Receiver<Request> rx) {
        l.loop(
                again ->
                        l.watch(
                                rx.recv()
                                        .thenAccept(
                                                req -> {
                                                    if (req != null) {
                                                        req.reply().send(req.n() + 1);
                                                        again.run();
                                                    }
                                                })));
    }

    /** Sends requests as recursion, each after the previous reply, counting the rounds. */
    private static void ask(DeepLoop l, Mpsc.Sender<Request> tx) {
        l.loop(
                again -> {
                    int n = l.count();
                    Oneshot.Channel<Integer> reply = Oneshot.channel();
                    l.watch(
                            tx.send(new Request(n, reply.sender()))
                                    .thenCompose(v -> reply.receiver().recv())
                                    .thenAccept(
                                            a -> {
                                                if (a != n + 1) {
                                                    l.record(
                                                            new AssertionError(
                                                                    "reply to " + n + " was " + a));
                                                } else if (l.step()) {
                                                    again.run();
                                                } else {
                                                    tx.close(); // ends the server's loop
                                                }
                                            }));
                });
    }

    @Test
    void serverWaitingFirst() throws Exception {
        Mpsc.Channel<Request> ch = Mpsc.channel(1);
        DeepLoop.run(
                "request/reply, the server waiting first",
                l -> {
                    serve(l, ch.receiver()); // pending: nothing sent yet
                    ask(l, ch.sender());
                });
    }

    @Test
    void clientFirst() throws Exception {
        Mpsc.Channel<Request> ch = Mpsc.channel(1);
        DeepLoop.run(
                "request/reply, the client first",
                l -> {
                    ask(l, ch.sender()); // the first request is buffered, its reply pending
                    l.expect(ch.receiver().len() == 1, "the first request waits for the server");
                    serve(l, ch.receiver());
                });
    }

    @Test
    void everyFutureAlreadyCompleteInOneChain() throws Exception {
        // Each round sends the request, receives it, replies and receives the reply in one chain
        // of continuations; each future there is complete before the next step is attached.
        Mpsc.Channel<Request> ch = Mpsc.channel(1);
        DeepLoop.run(
                "request/reply, one chain per round, every future complete",
                l ->
                        l.loop(
                                again -> {
                                    int n = l.count();
                                    Oneshot.Channel<Integer> reply = Oneshot.channel();
                                    l.watch(
                                            ch.sender()
                                                    .send(new Request(n, reply.sender()))
                                                    .thenCompose(v -> ch.receiver().recv())
                                                    .thenAccept(
                                                            req -> req.reply().send(req.n() + 1))
                                                    .thenCompose(v -> reply.receiver().recv())
                                                    .thenAccept(
                                                            a -> {
                                                                if (a != n + 1) {
                                                                    l.record(
                                                                            new AssertionError(
                                                                                    "reply to "
                                                                                            + n
                                                                                            + " was "
                                                                                            + a));
                                                                } else if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }
}
