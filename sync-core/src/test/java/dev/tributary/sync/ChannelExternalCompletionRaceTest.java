package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.ExternalCompletion.Case;
import dev.tributary.sync.ExternalCompletion.Round;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cancel contract of the waits of the other channels, through every external completion entry
 * point ({@link ExternalCompletion.Entry}): {@link Broadcast.Receiver#recv()}, {@link
 * Watch.Receiver#changed()}, {@link Watch.Receiver#waitFor(java.util.function.Predicate)} and
 * {@link Oneshot.Receiver#recv()}.
 *
 * <p>Invariants after every iteration: the value sent in the race is received exactly once (by the
 * raced future if the grant won, else by the next receive); a withdrawn watch wait marks nothing
 * seen ({@code hasChanged()} stays true) and one that won marks its version; no waiter is left
 * linked ({@code Watch.queuedWaiters}, {@code Broadcast.Sender.waitingReceivers}, a oneshot receive
 * not "pending"); a fresh wait is woken by the next value; the return value of {@code
 * cancel}/{@code complete}/{@code completeExceptionally} matches what the future holds.
 */
class ChannelExternalCompletionRaceTest extends AbstractExternalCompletionRaceTest {
    @Override
    List<Case> cases() {
        return List.of(
                new Case("broadcast recv", BroadcastRecv::new),
                new Case("watch changed", WatchChanged::new),
                new Case("watch waitFor", WatchWaitFor::new),
                new Case("oneshot recv", OneshotRecv::new));
    }

    /** An empty broadcast channel; the wait receives; the grant sends 0. */
    static final class BroadcastRecv extends Round {
        final Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        final CompletableFuture<Integer> f = ch.receiver().recv();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            ch.sender().send(0);
        }

        @Override
        void check(boolean outsideWon) {
            Broadcast.Receiver<Integer> rx = ch.receiver();
            if (outsideWon) {
                assertEquals(0, rx.tryRecv(), "a withdrawn receive must not move the cursor");
            } else {
                assertEquals(0, f.join());
            }
            assertNull(rx.tryRecv(), "received exactly once");
            assertEquals(0, ch.sender().waitingReceivers(), "no waiter left linked");
            CompletableFuture<Integer> next = rx.recv();
            assertFalse(next.isDone());
            ch.sender().send(1);
            assertEquals(1, next.join(), "a fresh receive is woken by the next value");
        }

        @Override
        String leftover() {
            int n = ch.sender().waitingReceivers();
            return n == 0 ? null : n + " receivers still linked";
        }
    }

    /** A watch channel at 0; the wait is changed(); the grant stores 1. */
    static final class WatchChanged extends Round {
        final Watch.Channel<Integer> ch = Watch.channel(0);
        final CompletableFuture<Void> f = ch.receiver().changed();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            ch.sender().send(1);
        }

        @Override
        void check(boolean outsideWon) {
            Watch.Receiver<Integer> rx = ch.receiver();
            if (outsideWon) {
                assertTrue(rx.hasChanged(), "a withdrawn changed() must mark nothing seen");
                assertTrue(rx.changed().isDone(), "the news is still there for a new changed()");
            } else {
                assertNull(f.join());
                assertFalse(rx.hasChanged(), "the news delivered is marked seen");
            }
            assertEquals(0, Watch.queuedWaiters(ch.sender()), "no waiter left linked");
            CompletableFuture<Void> next = rx.changed();
            assertFalse(next.isDone());
            ch.sender().send(2);
            assertTrue(next.isDone(), "a fresh changed() is woken by the next value");
            assertEquals(0, Watch.queuedWaiters(ch.sender()));
        }

        @Override
        String leftover() {
            int n = Watch.queuedWaiters(ch.sender());
            return n == 0 ? null : n + " waiters still linked";
        }
    }

    /** A watch channel at 0; the wait is waitFor(v >= 1); the grant stores 1. */
    static final class WatchWaitFor extends Round {
        final Watch.Channel<Integer> ch = Watch.channel(0);
        final CompletableFuture<Watch.Ref<Integer>> f = ch.receiver().waitFor(v -> v >= 1);
        final Watch.Ref<Integer> outside = new Watch.Ref<>(-1, false, -1L);

        @Override
        Object outsideValue() {
            return outside; // WaitFor overrides complete(Ref): OUTSIDE would not pass its bridge
        }

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            ch.sender().send(1);
        }

        @Override
        void check(boolean outsideWon) {
            Watch.Receiver<Integer> rx = ch.receiver();
            if (outsideWon) {
                assertTrue(rx.hasChanged(), "a withdrawn waitFor must mark nothing seen");
                CompletableFuture<Watch.Ref<Integer>> again = rx.waitFor(v -> v >= 1);
                assertTrue(again.isDone(), "the match is still there for a new waitFor");
                assertEquals(1, again.join().get());
            } else {
                assertEquals(1, f.join().get());
                assertFalse(rx.hasChanged(), "the match delivered is marked seen");
            }
            assertEquals(0, Watch.queuedWaiters(ch.sender()), "no waiter left linked");
            CompletableFuture<Watch.Ref<Integer>> next = rx.waitFor(v -> v >= 2);
            assertFalse(next.isDone());
            ch.sender().send(2);
            assertTrue(next.isDone(), "a fresh waitFor is woken by the next value");
            assertEquals(2, next.join().get());
            assertEquals(0, Watch.queuedWaiters(ch.sender()));
        }

        @Override
        String leftover() {
            int n = Watch.queuedWaiters(ch.sender());
            return n == 0 ? null : n + " waiters still linked";
        }
    }

    /** An empty oneshot channel; the wait receives; the grant sends 0. */
    static final class OneshotRecv extends Round {
        final Oneshot.Channel<Integer> ch = Oneshot.channel();
        final CompletableFuture<Integer> f = ch.receiver().recv();

        @Override
        CompletableFuture<?> future() {
            return f;
        }

        @Override
        void grant() {
            ch.sender().send(0);
        }

        @Override
        void check(boolean outsideWon) {
            Oneshot.Receiver<Integer> rx = ch.receiver();
            if (outsideWon) {
                assertEquals(
                        0, rx.tryRecv(), "a withdrawn receive leaves the value in the channel");
            } else {
                assertEquals(0, f.join());
            }
            assertTrue(rx.isTerminated(), "received exactly once");
        }

        @Override
        String leftover() {
            try {
                ch.receiver().tryRecv(); // nothing was sent when this is asked: consumes nothing
                return null;
            } catch (IllegalStateException e) {
                return "a receive is still pending: " + e.getMessage();
            }
        }
    }
}
