package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What bounding the stack must not change, for the already-complete future of every waiting method
 * (each {@link Ready} constant makes one on fresh state):
 *
 * <ul>
 *   <li>actions attached in order to an already-complete returned future run in that order, on the
 *       attaching thread, before the attaching call returns (outside any completion there is no
 *       later point on that thread for them to run); an action attached from inside an earlier
 *       action runs after that one and before actions attached after it;
 *   <li>{@code join()} called inside a continuation — one that the library runs, and one on an
 *       already-complete future — on such a future, or on a stage derived from it, returns instead
 *       of waiting for a completion that this very thread would only run later. A join that does
 *       not return within {@link #JOIN_SECONDS} fails the test (the joined stage is then completed
 *       from the test thread to free the stuck thread).
 * </ul>
 *
 * <p>Not a port of a tokio test: tokio's tasks are polled by the runtime, so the problem does not
 * arise there.
 */
@Timeout(30)
class ContinuationOrderTest {

    private static final long JOIN_SECONDS = 2;

    /** An already-complete future of each waiting method, on fresh state. */
    enum Ready {
        MPSC_SEND(() -> Mpsc.<Integer>channel(1).sender().send(1)),
        MPSC_RESERVE(() -> Mpsc.<Integer>channel(1).sender().reserve()),
        MPSC_RECV(
                () -> {
                    Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                    ch.sender().trySend(1);
                    return ch.receiver().recv();
                }),
        MPSC_RECV_MANY(
                () -> {
                    Mpsc.Channel<Integer> ch = Mpsc.channel(1);
                    ch.sender().trySend(1);
                    return ch.receiver().recvMany(new ArrayList<>(), 4);
                }),
        UNBOUNDED_RECV(
                () -> {
                    Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                    ch.sender().send(1);
                    return ch.receiver().recv();
                }),
        UNBOUNDED_RECV_MANY(
                () -> {
                    Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
                    ch.sender().send(1);
                    return ch.receiver().recvMany(new ArrayList<>(), 4);
                }),
        BROADCAST_RECV(
                () -> {
                    Broadcast.Channel<Integer> ch = Broadcast.channel(4);
                    ch.sender().send(1);
                    return ch.receiver().recv();
                }),
        WATCH_CHANGED(
                () -> {
                    Watch.Channel<Integer> ch = Watch.channel(0);
                    ch.sender().send(1);
                    return ch.receiver().changed();
                }),
        WATCH_WAIT_FOR(() -> Watch.channel(0).receiver().waitFor(v -> true)),
        ONESHOT_RECV(
                () -> {
                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                    ch.sender().send(1);
                    return ch.receiver().recv();
                }),
        SEMAPHORE_ACQUIRE(() -> new Semaphore(1).acquire()),
        SEMAPHORE_ACQUIRE_MANY(() -> new Semaphore(2).acquireMany(2)),
        MUTEX_LOCK(() -> new Mutex<>(0).lock()),
        RWLOCK_READ(() -> new RwLock<>(0).read()),
        RWLOCK_WRITE(() -> new RwLock<>(0).write()),
        NOTIFIED(
                () -> {
                    Notify n = new Notify();
                    n.notifyOne();
                    return n.notified().future();
                }),
        BARRIER_AWAIT(() -> new Barrier(1).await()),
        ONCE_CELL_GET_OR_INIT(() -> OnceCell.of(1).getOrInit(CompletableFuture::new));

        private final Supplier<CompletableFuture<?>> make;

        Ready(Supplier<CompletableFuture<?>> make) {
            this.make = make;
        }

        CompletableFuture<?> get() {
            return make.get();
        }
    }

    /** Where the join runs: inside which continuation. */
    enum Context {
        /**
         * A continuation of a pending Oneshot receive, run by the library when the value is sent.
         */
        LIBRARY_COMPLETION,
        /** A continuation attached to an already-complete Semaphore acquire. */
        ATTACHED_TO_A_COMPLETE_FUTURE
    }

    // --- order and thread ---

    @ParameterizedTest
    @EnumSource(Ready.class)
    void actionsRunInAttachOrderOnTheAttachingThread(Ready ready) throws Exception {
        CompletableFuture<?> f = ready.get();
        assertTrue(f.isDone(), ready + ": the fast path returns a complete future");
        Thread me = Thread.currentThread();
        List<String> log = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        f.thenRun(
                () -> {
                    log.add("a");
                    threads.add(Thread.currentThread());
                    f.thenRun(
                            () -> {
                                log.add("a.1");
                                threads.add(Thread.currentThread());
                            });
                    f.thenApply(v -> v)
                            .thenRun(
                                    () -> {
                                        log.add("a.2");
                                        threads.add(Thread.currentThread());
                                    });
                });
        f.thenRun(
                () -> {
                    log.add("b");
                    threads.add(Thread.currentThread());
                });
        f.thenApply(v -> v)
                .thenRun(
                        () -> {
                            log.add("c");
                            threads.add(Thread.currentThread());
                        });
        assertEquals(List.of("a", "a.1", "a.2", "b", "c"), log, ready + ": order of the actions");
        for (Thread t : threads) {
            assertEquals(me, t, ready + ": the actions run on the attaching thread");
        }
    }

    // --- join inside a continuation ---

    private static Stream<Arguments> joins() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Context c : Context.values()) {
            for (Ready r : Ready.values()) {
                b.add(Arguments.of(c, r, false));
                b.add(Arguments.of(c, r, true));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}: join on {1}, derived stage: {2}")
    @MethodSource("joins")
    void joinInsideAContinuationReturns(Context context, Ready ready, boolean derived)
            throws Exception {
        AtomicReference<CompletableFuture<?>> joining = new AtomicReference<>();
        CompletableFuture<Object> joined = new CompletableFuture<>();
        Runnable body =
                () -> {
                    try {
                        CompletableFuture<?> f = ready.get();
                        CompletableFuture<?> target = derived ? f.thenApply(v -> v) : f;
                        joining.set(target);
                        target.join();
                        joined.complete(ready);
                    } catch (Throwable t) {
                        joined.completeExceptionally(t);
                    }
                };
        Thread t =
                new Thread(
                        () -> {
                            try {
                                if (context == Context.LIBRARY_COMPLETION) {
                                    Oneshot.Channel<Integer> ch = Oneshot.channel();
                                    CompletableFuture<Integer> outer = ch.receiver().recv();
                                    outer.thenRun(body);
                                    ch.sender().send(1); // runs body inside the completion
                                } else {
                                    new Semaphore(1).acquire().thenRun(body);
                                }
                                if (!joined.isDone()) {
                                    joined.completeExceptionally(
                                            new AssertionError(
                                                    "the continuation did not run by the time"
                                                            + " the call that completes it"
                                                            + " returned"));
                                }
                            } catch (Throwable e) {
                                joined.completeExceptionally(e);
                            }
                        },
                        "join in " + context);
        t.setDaemon(true);
        t.start();
        try {
            assertEquals(ready, joined.get(JOIN_SECONDS, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            CompletableFuture<?> stuck = joining.get();
            if (stuck != null) {
                stuck.completeExceptionally(new CancellationException("freed by the test"));
            }
            fail(
                    context
                            + ": join() on "
                            + (derived ? "a stage derived from " : "")
                            + ready
                            + "'s future did not return within "
                            + JOIN_SECONDS
                            + " s (deadlock: it waits for a completion that its own thread"
                            + " would run later)");
        } catch (ExecutionException e) {
            fail(context + ": join() on " + ready + " failed", e.getCause());
        }
        t.join(TimeUnit.SECONDS.toMillis(JOIN_SECONDS));
    }
}
