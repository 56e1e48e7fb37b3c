package dev.tributary.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every waiting method of the channels — mpsc bounded {@code send}, {@code reserve}, {@code recv},
 * {@code recvMany}; unbounded mpsc {@code recv}, {@code recvMany}; broadcast {@code recv}; watch
 * {@code changed}, {@code waitFor}; oneshot {@code recv} — driving a loop written as recursion
 * through its continuation ({@code rx.recv().thenAccept(m -> { handle(m); loop(); })}) for a
 * million iterations on a thread with a 256 KiB stack, in two forms:
 *
 * <ul>
 *   <li><b>fast path</b>: the message, value or capacity is ready before the call, so the returned
 *       future is already complete when the continuation is attached (at least at the top of the
 *       loop; a receive called inside a completion may return a future that the library completes
 *       from the outermost frame);
 *   <li><b>waiting</b>: the continuation is attached to a pending future, which the same thread
 *       then completes (it sends, frees capacity, stores a value).
 * </ul>
 *
 * <p>Each loop records whatever its body throws and whatever its dependent stages fail with (a
 * {@link StackOverflowError} is otherwise captured into a dependent stage and the loop just stops),
 * and {@link DeepLoop#run} asserts the count, the absence of throwables, and a bounded stack depth.
 * Not a port of a tokio test: tokio's tasks are polled by the runtime, so the problem does not
 * arise there.
 */
@Timeout(60)
class ChannelStackSafetyTest {

    // --- mpsc bounded send ---

    @Test
    void boundedSendFastPath() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        DeepLoop.run(
                "Mpsc.Sender.send, capacity free",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                ch.sender()
                                                        .send(l.count())
                                                        .thenRun(
                                                                () -> {
                                                                    ch.receiver().tryRecv();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void boundedSendWaiting() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        DeepLoop.run(
                "Mpsc.Sender.send, channel full",
                l -> {
                    ch.sender().trySend(-1); // full: every send waits
                    l.loop(
                            again -> {
                                CompletableFuture<Void> f = ch.sender().send(l.count());
                                if (l.expectPending(f, "send on a full channel")) {
                                    l.watch(
                                            f.thenRun(
                                                    () -> {
                                                        if (l.step()) {
                                                            again.run();
                                                        }
                                                    }));
                                    ch.receiver().tryRecv(); // frees the slot: grants the send
                                }
                            });
                });
    }

    // --- mpsc bounded reserve ---

    @Test
    void reserveFastPath() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        DeepLoop.run(
                "Mpsc.Sender.reserve, capacity free",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                ch.sender()
                                                        .reserve()
                                                        .thenAccept(
                                                                p -> {
                                                                    p.send(l.count());
                                                                    ch.receiver().tryRecv();
                                                                    if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void reserveWaiting() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        DeepLoop.run(
                "Mpsc.Sender.reserve, the only slot held",
                l ->
                        l.<Mpsc.Permit<Integer>>loop(
                                ch.sender().tryReserve(),
                                (held, again) -> {
                                    CompletableFuture<Mpsc.Permit<Integer>> f =
                                            ch.sender().reserve();
                                    if (l.expectPending(f, "reserve while the slot is held")) {
                                        l.watch(
                                                f.thenAccept(
                                                        p -> {
                                                            if (l.step()) {
                                                                again.accept(p);
                                                            } else {
                                                                p.close();
                                                            }
                                                        }));
                                        held.close(); // returns the slot: grants the reserve
                                    }
                                }));
    }

    // --- mpsc bounded recv / recvMany ---

    @Test
    void boundedRecvFastPath() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        DeepLoop.run(
                "Mpsc.Receiver.recv, message ready",
                l ->
                        l.loop(
                                again -> {
                                    l.expect(ch.sender().trySend(l.count()), "trySend");
                                    l.watch(
                                            ch.receiver()
                                                    .recv()
                                                    .thenAccept(
                                                            m -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void boundedRecvWaiting() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        DeepLoop.run(
                "Mpsc.Receiver.recv, channel empty",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Integer> f = ch.receiver().recv();
                                    if (l.expectPending(f, "recv on an empty channel")) {
                                        l.watch(
                                                f.thenAccept(
                                                        m -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        l.expect(ch.sender().trySend(l.count()), "trySend");
                                    }
                                }));
    }

    @Test
    void boundedRecvManyFastPath() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        List<Integer> buffer = new ArrayList<>();
        DeepLoop.run(
                "Mpsc.Receiver.recvMany, messages ready",
                l ->
                        l.loop(
                                again -> {
                                    l.expect(ch.sender().trySend(1), "trySend");
                                    l.expect(ch.sender().trySend(2), "trySend");
                                    l.watch(
                                            ch.receiver()
                                                    .recvMany(buffer, 2)
                                                    .thenAccept(
                                                            n -> {
                                                                buffer.clear();
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void boundedRecvManyWaiting() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(2);
        List<Integer> buffer = new ArrayList<>();
        DeepLoop.run(
                "Mpsc.Receiver.recvMany, channel empty",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Integer> f =
                                            ch.receiver().recvMany(buffer, 2);
                                    if (l.expectPending(f, "recvMany on an empty channel")) {
                                        l.watch(
                                                f.thenAccept(
                                                        n -> {
                                                            buffer.clear();
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        l.expect(ch.sender().trySend(l.count()), "trySend");
                                    }
                                }));
    }

    // --- unbounded mpsc recv / recvMany ---

    @Test
    void unboundedRecvOverAPrefilledChannel() throws Exception {
        // The reported case: a receive loop over a channel already holding its messages.
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        for (int i = 0; i < DeepLoop.ITERATIONS; i++) {
            ch.sender().send(i);
        }
        DeepLoop.run(
                "Mpsc.UnboundedReceiver.recv, 10^6 messages queued",
                l ->
                        l.loop(
                                again ->
                                        l.watch(
                                                ch.receiver()
                                                        .recv()
                                                        .thenAccept(
                                                                m -> {
                                                                    if (m == null
                                                                            || m != l.count()) {
                                                                        l.record(
                                                                                new AssertionError(
                                                                                        "got "
                                                                                                + m));
                                                                    } else if (l.step()) {
                                                                        again.run();
                                                                    }
                                                                }))));
    }

    @Test
    void unboundedRecvFastPath() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        DeepLoop.run(
                "Mpsc.UnboundedReceiver.recv, sent before each receive",
                l ->
                        l.loop(
                                again -> {
                                    ch.sender().send(l.count());
                                    l.watch(
                                            ch.receiver()
                                                    .recv()
                                                    .thenAccept(
                                                            m -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void unboundedRecvWaiting() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        DeepLoop.run(
                "Mpsc.UnboundedReceiver.recv, channel empty",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Integer> f = ch.receiver().recv();
                                    if (l.expectPending(f, "recv on an empty channel")) {
                                        l.watch(
                                                f.thenAccept(
                                                        m -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        ch.sender().send(l.count());
                                    }
                                }));
    }

    @Test
    void unboundedRecvManyFastPath() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        List<Integer> buffer = new ArrayList<>();
        DeepLoop.run(
                "Mpsc.UnboundedReceiver.recvMany, sent before each receive",
                l ->
                        l.loop(
                                again -> {
                                    ch.sender().send(1);
                                    ch.sender().send(2);
                                    l.watch(
                                            ch.receiver()
                                                    .recvMany(buffer, 8)
                                                    .thenAccept(
                                                            n -> {
                                                                buffer.clear();
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void unboundedRecvManyWaiting() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        List<Integer> buffer = new ArrayList<>();
        DeepLoop.run(
                "Mpsc.UnboundedReceiver.recvMany, channel empty",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Integer> f =
                                            ch.receiver().recvMany(buffer, 8);
                                    if (l.expectPending(f, "recvMany on an empty channel")) {
                                        l.watch(
                                                f.thenAccept(
                                                        n -> {
                                                            buffer.clear();
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        ch.sender().send(l.count());
                                    }
                                }));
    }

    // --- broadcast recv ---

    @Test
    void broadcastRecvFastPath() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(16);
        DeepLoop.run(
                "Broadcast.Receiver.recv, value sent",
                l ->
                        l.loop(
                                again -> {
                                    ch.sender().send(l.count());
                                    l.watch(
                                            ch.receiver()
                                                    .recv()
                                                    .thenAccept(
                                                            v -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void broadcastRecvWaiting() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(16);
        DeepLoop.run(
                "Broadcast.Receiver.recv, nothing sent yet",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Integer> f = ch.receiver().recv();
                                    if (l.expectPending(f, "recv with nothing sent")) {
                                        l.watch(
                                                f.thenAccept(
                                                        v -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        ch.sender().send(l.count());
                                    }
                                }));
    }

    // --- watch changed / waitFor ---

    @Test
    void watchChangedFastPath() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        DeepLoop.run(
                "Watch.Receiver.changed, a new value stored",
                l ->
                        l.loop(
                                again -> {
                                    ch.sender().send(l.count() + 1);
                                    l.watch(
                                            ch.receiver()
                                                    .changed()
                                                    .thenRun(
                                                            () -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void watchChangedWaiting() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        DeepLoop.run(
                "Watch.Receiver.changed, nothing new",
                l ->
                        l.loop(
                                again -> {
                                    CompletableFuture<Void> f = ch.receiver().changed();
                                    if (l.expectPending(f, "changed with nothing new")) {
                                        l.watch(
                                                f.thenRun(
                                                        () -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        ch.sender().send(l.count() + 1);
                                    }
                                }));
    }

    @Test
    void watchWaitForFastPath() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        DeepLoop.run(
                "Watch.Receiver.waitFor, the current value matches",
                l ->
                        l.loop(
                                again -> {
                                    int want = l.count() + 1;
                                    ch.sender().send(want);
                                    l.watch(
                                            ch.receiver()
                                                    .waitFor(v -> v == want)
                                                    .thenAccept(
                                                            r -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void watchWaitForWaiting() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        DeepLoop.run(
                "Watch.Receiver.waitFor, the current value does not match",
                l ->
                        l.loop(
                                again -> {
                                    int want = l.count() + 1;
                                    CompletableFuture<Watch.Ref<Integer>> f =
                                            ch.receiver().waitFor(v -> v == want);
                                    if (l.expectPending(f, "waitFor of a value not stored yet")) {
                                        l.watch(
                                                f.thenAccept(
                                                        r -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        ch.sender().send(want);
                                    }
                                }));
    }

    // --- oneshot recv ---

    @Test
    void oneshotRecvFastPath() throws Exception {
        DeepLoop.run(
                "Oneshot.Receiver.recv, value sent (a new channel per iteration)",
                l ->
                        l.loop(
                                again -> {
                                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                                    ch.sender().send(l.count());
                                    l.watch(
                                            ch.receiver()
                                                    .recv()
                                                    .thenAccept(
                                                            v -> {
                                                                if (l.step()) {
                                                                    again.run();
                                                                }
                                                            }));
                                }));
    }

    @Test
    void oneshotRecvWaiting() throws Exception {
        DeepLoop.run(
                "Oneshot.Receiver.recv, nothing sent yet (a new channel per iteration)",
                l ->
                        l.loop(
                                again -> {
                                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                                    CompletableFuture<Integer> f = ch.receiver().recv();
                                    if (l.expectPending(f, "recv with nothing sent")) {
                                        l.watch(
                                                f.thenAccept(
                                                        v -> {
                                                            if (l.step()) {
                                                                again.run();
                                                            }
                                                        }));
                                        ch.sender().send(l.count());
                                    }
                                }));
    }
}
