package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import reactor.core.scheduler.Schedulers;

/**
 * Bad input and misuse of {@link Watch}: null values and functions, closed handles, a second
 * concurrent wait on one receiver, and calls back into the channel from a modify function. Each
 * asserts the exception type and message, and that the channel state is intact afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchBadInputTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    private static <X extends Throwable> void fails(
            Class<X> type, String message, Executable call) {
        X e = assertThrows(type, call);
        assertEquals(message, e.getMessage());
    }

    // ---- nulls ----

    @Test
    void nullInitialValue() {
        fails(NullPointerException.class, "initial must not be null", () -> Watch.channel(null));
    }

    @Test
    void nullValuesAndFunctions() {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Sender<String> tx = ch.sender();
        Watch.Receiver<String> rx = ch.receiver();
        fails(NullPointerException.class, "value must not be null", () -> tx.send(null));
        fails(NullPointerException.class, "value must not be null", () -> tx.sendReplace(null));
        fails(NullPointerException.class, "update must not be null", () -> tx.sendModify(null));
        fails(NullPointerException.class, "modify must not be null", () -> tx.sendIfModified(null));
        fails(NullPointerException.class, "cause must not be null", () -> tx.closeChannel(null));
        fails(NullPointerException.class, "other must not be null", () -> tx.sameChannel(null));
        fails(NullPointerException.class, "predicate must not be null", () -> rx.waitFor(null));
        fails(
                NullPointerException.class,
                "predicate must not be null",
                () -> rx.blockingWaitFor(null));
        fails(
                NullPointerException.class,
                "predicate must not be null",
                () -> rx.blockingWaitFor(null, Duration.ZERO));
        fails(
                NullPointerException.class,
                "timeout must not be null",
                () -> rx.blockingWaitFor(v -> true, null));
        fails(
                NullPointerException.class,
                "timeout must not be null",
                () -> rx.blockingChanged(null));
        fails(NullPointerException.class, "other must not be null", () -> rx.sameChannel(null));
        // nothing was stored or closed
        assertEquals("A", rx.borrow().get());
        assertFalse(rx.hasChanged());
        assertFalse(tx.isClosed());
    }

    @Test
    void updateReturningNullStoresNothing() {
        Watch.Channel<String> ch = Watch.channel("A");
        CompletableFuture<Void> changed = ch.receiver().changed();
        fails(
                NullPointerException.class,
                "update must not return null",
                () -> ch.sender().sendModify(v -> null));
        assertEquals("A", ch.receiver().borrow().get());
        assertFalse(changed.isDone());
        ch.sender().sendModify(v -> "B"); // the writer lock was released
        assertTrue(changed.isDone());
    }

    // ---- closed handles ----

    @Test
    void closedSenderHandle() {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Sender<String> tx = ch.sender();
        Watch.Sender<String> other = tx.clone();
        tx.close();
        String msg = "this Watch.Sender handle was closed";
        fails(IllegalStateException.class, msg, () -> tx.send("B"));
        fails(IllegalStateException.class, msg, () -> tx.sendReplace("B"));
        fails(IllegalStateException.class, msg, () -> tx.sendModify(v -> "B"));
        fails(IllegalStateException.class, msg, () -> tx.sendIfModified(v -> true));
        fails(IllegalStateException.class, msg, tx::subscribe);
        fails(IllegalStateException.class, msg, tx::clone);
        fails(IllegalStateException.class, msg, () -> tx.closeChannel(new RuntimeException()));
        // queries still work
        assertEquals("A", tx.borrow().get());
        assertEquals(1, tx.senderCount());
        assertEquals(1, tx.receiverCount());
        assertFalse(tx.isClosed());
        assertFalse(tx.closed().isDone());
        assertTrue(tx.sameChannel(other));
        tx.close(); // idempotent
        assertEquals(1, other.senderCount());
        other.send("B");
        assertEquals("B", ch.receiver().borrow().get());
    }

    @Test
    void closedReceiverHandle() {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Receiver<String> rx = ch.receiver();
        Watch.Receiver<String> other = rx.clone();
        rx.close();
        String msg = "this Watch.Receiver handle was closed";
        fails(IllegalStateException.class, msg, rx::borrow);
        fails(IllegalStateException.class, msg, rx::borrowAndUpdate);
        fails(IllegalStateException.class, msg, rx::hasChanged);
        fails(IllegalStateException.class, msg, rx::markChanged);
        fails(IllegalStateException.class, msg, rx::markUnchanged);
        fails(IllegalStateException.class, msg, rx::changed);
        fails(IllegalStateException.class, msg, () -> rx.waitFor(v -> true));
        fails(IllegalStateException.class, msg, rx::blockingChanged);
        fails(IllegalStateException.class, msg, () -> rx.blockingChanged(Duration.ZERO));
        fails(IllegalStateException.class, msg, () -> rx.blockingWaitFor(v -> true));
        fails(IllegalStateException.class, msg, rx::clone);
        assertTrue(rx.sameChannel(other));
        rx.close(); // idempotent
        assertEquals(1, ch.sender().receiverCount());
        ch.sender().send("B");
        assertTrue(other.hasChanged());
    }

    // ---- a second concurrent wait on one receiver ----

    @Test
    void secondConcurrentWaitFailsAndLeavesTheFirstIntact() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        CompletableFuture<Void> first = rx.changed();
        String suffix =
                " requires no other pending changed()/waitFor() on this receiver (a Receiver has one"
                        + " consumer; clone() it for another) but one was pending";
        fails(IllegalStateException.class, "Watch.Receiver.changed" + suffix, rx::changed);
        fails(
                IllegalStateException.class,
                "Watch.Receiver.waitFor" + suffix,
                () -> rx.waitFor(v -> true));
        fails(
                IllegalStateException.class,
                "Watch.Receiver.blockingChanged" + suffix,
                rx::blockingChanged);
        fails(
                IllegalStateException.class,
                "Watch.Receiver.blockingWaitFor" + suffix,
                () -> rx.blockingWaitFor(v -> true));
        assertEquals(1, Watch.queuedWaiters(ch.sender()));
        assertFalse(first.isDone());
        // queries still work while a wait is pending, and a clone is a second consumer
        assertFalse(rx.hasChanged());
        assertTrue(rx.clone().waitFor(v -> v == 0).isDone());
        ch.sender().send(1);
        assertTrue(first.isDone());
        // done: the receiver is free again (and the first changed() marked 1 seen)
        CompletableFuture<Void> again = rx.changed();
        assertFalse(again.isDone());
        assertTrue(again.cancel(false));
    }

    @Test
    void secondWaitWhileAWaitForIsPending() {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        CompletableFuture<Watch.Ref<Integer>> first = rx.waitFor(v -> v == 2);
        assertThrows(IllegalStateException.class, rx::changed);
        ch.sender().send(1);
        assertThrows(IllegalStateException.class, () -> rx.waitFor(v -> true));
        ch.sender().send(2);
        assertEquals(2, first.join().get());
        assertFalse(rx.hasChanged());
        assertFalse(rx.changed().isDone());
    }

    @Test
    void secondWaitWhileABlockingWaitIsParked() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        Watch.Receiver<Integer> rx = ch.receiver();
        Future<Boolean> parked = pool.submit(() -> rx.blockingChanged(Duration.ofSeconds(20)));
        Race.awaitTrue(() -> Watch.queuedWaiters(ch.sender()) == 1);
        assertThrows(IllegalStateException.class, rx::changed);
        assertThrows(IllegalStateException.class, () -> rx.waitFor(v -> true));
        assertEquals(1, Watch.queuedWaiters(ch.sender()));
        ch.sender().send(1);
        assertTrue(parked.get(10, TimeUnit.SECONDS));
        // the receiver is free again, and blockingChanged marked 1 seen
        CompletableFuture<Void> again = rx.changed();
        assertFalse(again.isDone());
        assertTrue(again.cancel(false));
    }

    // ---- calls back into the channel from a modify function ----

    @Test
    void modifyFunctionThatCallsBackIntoTheSenderFails() {
        Watch.Channel<String> ch = Watch.channel("A");
        Watch.Sender<String> tx = ch.sender();
        Watch.Sender<String> other = tx.clone();
        String suffix =
                " must not be called from inside a sendModify/sendIfModified function of the same"
                        + " channel but it was";
        AtomicReference<String> seenInside = new AtomicReference<>();
        fails(
                IllegalStateException.class,
                "Watch.Sender.send" + suffix,
                () ->
                        tx.sendModify(
                                v -> {
                                    seenInside.set(other.borrow().get()); // reading is fine
                                    other.send("X");
                                    return "B";
                                }));
        assertEquals("A", seenInside.get());
        fails(
                IllegalStateException.class,
                "Watch.Sender.sendIfModified" + suffix,
                () -> tx.sendIfModified(v -> other.sendIfModified(w -> true) || true));
        fails(
                IllegalStateException.class,
                "Watch.Sender.sendReplace" + suffix,
                () -> tx.sendModify(v -> other.sendReplace("X")));
        fails(
                IllegalStateException.class,
                "Watch.Sender.close" + suffix,
                () ->
                        tx.sendModify(
                                v -> {
                                    other.close();
                                    return v;
                                }));
        fails(
                IllegalStateException.class,
                "Watch.Sender.closeChannel" + suffix,
                () ->
                        tx.sendModify(
                                v -> {
                                    other.closeChannel(new RuntimeException());
                                    return v;
                                }));
        // nothing stored, nothing closed
        assertEquals("A", tx.borrow().get());
        assertFalse(ch.receiver().hasChanged());
        assertEquals(2, tx.senderCount());
        other.send("B");
        assertEquals("B", ch.receiver().borrowAndUpdate().get());
    }

    @Test
    void sendIfModifiedCallingSendModifyNamesTheInnerMethod() {
        Watch.Channel<String> ch = Watch.channel("A");
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                ch.sender()
                                        .sendIfModified(
                                                v -> {
                                                    ch.sender().sendModify(w -> w);
                                                    return true;
                                                }));
        assertTrue(e.getMessage().startsWith("Watch.Sender.sendModify must not"), e.getMessage());
    }

    // ---- blocking on a non-blocking thread ----

    @Test
    void blockingFormsFailFastOnAReactorNonBlockingThread() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        ch.sender().send(1);
        reactor.core.scheduler.Scheduler s = Schedulers.newParallel("watch-nb", 1);
        try {
            CompletableFuture<Throwable> result = new CompletableFuture<>();
            s.schedule(
                    () -> {
                        try {
                            ch.receiver().blockingChanged();
                            result.complete(null);
                        } catch (Throwable t) {
                            result.complete(t);
                        }
                    });
            Throwable t = Race.await(result);
            assertTrue(t instanceof IllegalStateException, String.valueOf(t));
            assertTrue(
                    t.getMessage().startsWith("Watch.Receiver.blockingChanged would park"),
                    t.getMessage());
        } finally {
            s.dispose();
        }
        assertTrue(ch.receiver().hasChanged());
        assertNull(ch.receiver().blockingWaitFor(v -> v == 5, Duration.ZERO));
    }
}
