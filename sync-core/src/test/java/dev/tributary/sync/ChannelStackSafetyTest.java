package dev.tributary.sync;

import static dev.tributary.sync.DeepLoop.pending;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.DeepLoop.Case;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
 * One table of cases per form, each case named by what it exercises. Not a port of a tokio test:
 * tokio's tasks are polled by the runtime, so the problem does not arise there.
 */
@Timeout(60)
class ChannelStackSafetyTest {

    static Stream<Case> fastPaths() {
        return Stream.of(
                new Case(
                        "Mpsc.Sender.send, capacity free",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                            l.repeatThenRun(
                                    () -> ch.sender().send(l.count()),
                                    () -> ch.receiver().tryRecv());
                        }),
                new Case(
                        "Mpsc.Sender.reserve, capacity free",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                            l.repeat(
                                    () -> ch.sender().reserve(),
                                    p -> {
                                        p.send(l.count());
                                        ch.receiver().tryRecv();
                                    });
                        }),
                new Case(
                        "Mpsc.Receiver.recv, message ready",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                            l.repeat(
                                    () -> {
                                        trySend(ch, l.count());
                                        return ch.receiver().recv();
                                    },
                                    m -> {});
                        }),
                new Case(
                        "Mpsc.Receiver.recvMany, messages ready",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(2);
                            List<Integer> buffer = new ArrayList<>();
                            l.repeat(
                                    () -> {
                                        trySend(ch, 1);
                                        trySend(ch, 2);
                                        return ch.receiver().recvMany(buffer, 2);
                                    },
                                    n -> buffer.clear());
                        }),
                new Case(
                        // The reported case: a receive loop over a channel already holding its
                        // messages.
                        "Mpsc.UnboundedReceiver.recv, 10^6 messages queued",
                        l -> {
                            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                            for (int i = 0; i < DeepLoop.ITERATIONS; i++) {
                                ch.sender().send(i);
                            }
                            l.repeat(
                                    () -> ch.receiver().recv(),
                                    m -> assertEquals(l.count(), m, "the messages in order"));
                        }),
                new Case(
                        "Mpsc.UnboundedReceiver.recv, sent before each receive",
                        l -> {
                            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                            l.repeat(
                                    () -> {
                                        ch.sender().send(l.count());
                                        return ch.receiver().recv();
                                    },
                                    m -> {});
                        }),
                new Case(
                        "Mpsc.UnboundedReceiver.recvMany, sent before each receive",
                        l -> {
                            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                            List<Integer> buffer = new ArrayList<>();
                            l.repeat(
                                    () -> {
                                        ch.sender().send(1);
                                        ch.sender().send(2);
                                        return ch.receiver().recvMany(buffer, 8);
                                    },
                                    n -> buffer.clear());
                        }),
                new Case(
                        "Broadcast.Receiver.recv, value sent",
                        l -> {
                            Broadcast.Channel<Integer> ch = Broadcast.channel(16);
                            l.repeat(
                                    () -> {
                                        ch.sender().send(l.count());
                                        return ch.receiver().recv();
                                    },
                                    v -> {});
                        }),
                new Case(
                        "Watch.Receiver.changed, a new value stored",
                        l -> {
                            Watch.Channel<Integer> ch = Watch.channel(0);
                            l.repeatThenRun(
                                    () -> {
                                        ch.sender().send(l.count() + 1);
                                        return ch.receiver().changed();
                                    },
                                    () -> {});
                        }),
                new Case(
                        "Watch.Receiver.waitFor, the current value matches",
                        l -> {
                            Watch.Channel<Integer> ch = Watch.channel(0);
                            l.repeat(
                                    () -> {
                                        int want = l.count() + 1;
                                        ch.sender().send(want);
                                        return ch.receiver().waitFor(v -> v == want);
                                    },
                                    r -> {});
                        }),
                new Case(
                        "Oneshot.Receiver.recv, value sent (a new channel per iteration)",
                        l ->
                                l.repeat(
                                        () -> {
                                            Oneshot.Channel<Integer> ch = Oneshot.channel();
                                            ch.sender().send(l.count());
                                            return ch.receiver().recv();
                                        },
                                        v -> {})));
    }

    static Stream<Case> waitingForms() {
        return Stream.of(
                new Case(
                        "Mpsc.Sender.send, channel full",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                            ch.sender().trySend(-1); // full: every send waits
                            l.repeatWaitingThenRun(
                                    "send on a full channel",
                                    // freeing the slot grants the send
                                    () ->
                                            pending(
                                                    ch.sender().send(l.count()),
                                                    () -> ch.receiver().tryRecv()));
                        }),
                new Case(
                        "Mpsc.Sender.reserve, the only slot held",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                            // returning the slot grants the reserve
                            l.repeatHolding(
                                    "reserve while the slot is held",
                                    ch.sender().tryReserve(),
                                    () -> ch.sender().reserve());
                        }),
                new Case(
                        "Mpsc.Receiver.recv, channel empty",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                            l.repeatWaiting(
                                    "recv on an empty channel",
                                    () ->
                                            pending(
                                                    ch.receiver().recv(),
                                                    () -> trySend(ch, l.count())),
                                    m -> {});
                        }),
                new Case(
                        "Mpsc.Receiver.recvMany, channel empty",
                        l -> {
                            Mpsc.Channel<Integer> ch = Mpsc.channel(2);
                            List<Integer> buffer = new ArrayList<>();
                            l.repeatWaiting(
                                    "recvMany on an empty channel",
                                    () ->
                                            pending(
                                                    ch.receiver().recvMany(buffer, 2),
                                                    () -> trySend(ch, l.count())),
                                    n -> buffer.clear());
                        }),
                new Case(
                        "Mpsc.UnboundedReceiver.recv, channel empty",
                        l -> {
                            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                            l.repeatWaiting(
                                    "recv on an empty channel",
                                    () ->
                                            pending(
                                                    ch.receiver().recv(),
                                                    () -> ch.sender().send(l.count())),
                                    m -> {});
                        }),
                new Case(
                        "Mpsc.UnboundedReceiver.recvMany, channel empty",
                        l -> {
                            Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                            List<Integer> buffer = new ArrayList<>();
                            l.repeatWaiting(
                                    "recvMany on an empty channel",
                                    () ->
                                            pending(
                                                    ch.receiver().recvMany(buffer, 8),
                                                    () -> ch.sender().send(l.count())),
                                    n -> buffer.clear());
                        }),
                new Case(
                        "Broadcast.Receiver.recv, nothing sent yet",
                        l -> {
                            Broadcast.Channel<Integer> ch = Broadcast.channel(16);
                            l.repeatWaiting(
                                    "recv with nothing sent",
                                    () ->
                                            pending(
                                                    ch.receiver().recv(),
                                                    () -> ch.sender().send(l.count())),
                                    v -> {});
                        }),
                new Case(
                        "Watch.Receiver.changed, nothing new",
                        l -> {
                            Watch.Channel<Integer> ch = Watch.channel(0);
                            l.repeatWaitingThenRun(
                                    "changed with nothing new",
                                    () ->
                                            pending(
                                                    ch.receiver().changed(),
                                                    () -> ch.sender().send(l.count() + 1)));
                        }),
                new Case(
                        "Watch.Receiver.waitFor, the current value does not match",
                        l -> {
                            Watch.Channel<Integer> ch = Watch.channel(0);
                            l.repeatWaiting(
                                    "waitFor of a value not stored yet",
                                    () -> {
                                        int want = l.count() + 1;
                                        return pending(
                                                ch.receiver().waitFor(v -> v == want),
                                                () -> ch.sender().send(want));
                                    },
                                    r -> {});
                        }),
                new Case(
                        "Oneshot.Receiver.recv, nothing sent yet (a new channel per iteration)",
                        l ->
                                l.repeatWaiting(
                                        "recv with nothing sent",
                                        () -> {
                                            Oneshot.Channel<Integer> ch = Oneshot.channel();
                                            return pending(
                                                    ch.receiver().recv(),
                                                    () -> ch.sender().send(l.count()));
                                        },
                                        v -> {})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fastPaths")
    void fastPath(Case c) throws Exception {
        c.run();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("waitingForms")
    void waiting(Case c) throws Exception {
        c.run();
    }

    /** A send that must go through: the loops keep the bounded channel below capacity. */
    private static void trySend(Mpsc.Channel<Integer> ch, int v) {
        assertTrue(ch.sender().trySend(v), "trySend");
    }
}
