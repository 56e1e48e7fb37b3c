package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Weak sender handles of {@link Mpsc}: ports the behaviours of tokio's {@code
 * tokio/tests/sync_mpsc_weak.rs}. Rust's drop maps to {@code close()}; tokio's temporary {@code
 * tx.clone().downgrade()} is a clone that is closed right after downgrading; the actor tests use a
 * {@link CompletableFuture} as the reply channel, and the actor replies after its first
 * self-message is sent (tokio runs that test on a current-thread runtime, where the actor reaches
 * its self-send before the client can drop its handle; here both run in parallel).
 */
@Timeout(30)
class MpscWeakTest {

    @Test
    void weakSender() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(11);
        Mpsc.Sender<Integer> tx = ch.sender();
        Mpsc.Receiver<Integer> rx = ch.receiver();

        Mpsc.WeakSender<Integer> txWeak =
                CompletableFuture.supplyAsync(
                                () -> {
                                    Mpsc.Sender<Integer> c = tx.clone();
                                    Mpsc.WeakSender<Integer> weak = c.downgrade();
                                    c.close();
                                    for (int i = 0; i < 10; i++) {
                                        tx.send(i).join();
                                    }
                                    Mpsc.Sender<Integer> tx2 = weak.upgrade();
                                    assertNotNull(tx2, "expected to be able to upgrade tx_weak");
                                    tx2.send(20).join();
                                    Mpsc.WeakSender<Integer> w2 = tx2.downgrade();
                                    tx2.close();
                                    weak.close();
                                    tx.close();
                                    return w2;
                                })
                        .get();

        for (int i = 0; i < 12; i++) {
            Integer msg = Race.await(rx.recv());
            if (msg == null) {
                assertEquals(11, i);
                break;
            }
            if (i == 10) {
                assertEquals(20, msg);
            }
        }
        assertNull(txWeak.upgrade());
    }

    /** tokio's actor pattern: the actor keeps only a weak handle to itself, so it ends. */
    @Test
    void actorWeakSender() throws Exception {
        Mpsc.Channel<Object[]> ch = Mpsc.channel(8);
        Mpsc.Sender<Object[]> handle = ch.sender();
        Mpsc.Sender<Object[]> c = handle.clone();
        Mpsc.WeakSender<Object[]> actorSelf = c.downgrade();
        c.close();

        CompletableFuture<Boolean> actor =
                CompletableFuture.supplyAsync(
                        () -> {
                            Mpsc.WeakSender<Object[]> self = actorSelf;
                            boolean receivedSelfMsg = false;
                            int nextId = 0;
                            int i = 0;
                            Object[] msg;
                            while ((msg = ch.receiver().recv().join()) != null) {
                                CompletableFuture<Integer> respondTo = null;
                                if (msg[0] == "get") {
                                    @SuppressWarnings("unchecked")
                                    CompletableFuture<Integer> r =
                                            (CompletableFuture<Integer>) msg[1];
                                    respondTo = r;
                                    nextId++;
                                } else {
                                    receivedSelfMsg = true;
                                }
                                if (i == 0) {
                                    Mpsc.Sender<Object[]> s = self.upgrade();
                                    if (s != null) {
                                        s.send(new Object[] {"self"}).join();
                                        Mpsc.WeakSender<Object[]> again = s.downgrade();
                                        s.close();
                                        self.close();
                                        self = again;
                                    }
                                }
                                if (respondTo != null) {
                                    respondTo.complete(nextId);
                                }
                                i++;
                            }
                            self.close();
                            return receivedSelfMsg;
                        });

        CompletableFuture<Integer> reply = new CompletableFuture<>();
        handle.send(new Object[] {"get", reply}).join();
        assertEquals(1, Race.await(reply));
        handle.close();
        assertTrue(Race.await(actor));
    }

    /** The same actor over an unbounded channel. */
    @Test
    void actorWeakUnboundedSender() throws Exception {
        Mpsc.UnboundedChannel<Object[]> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Object[]> handle = ch.sender();
        Mpsc.UnboundedSender<Object[]> c = handle.clone();
        Mpsc.WeakUnboundedSender<Object[]> actorSelf = c.downgrade();
        c.close();

        CompletableFuture<Boolean> actor =
                CompletableFuture.supplyAsync(
                        () -> {
                            Mpsc.WeakUnboundedSender<Object[]> self = actorSelf;
                            boolean receivedSelfMsg = false;
                            int i = 0;
                            Object[] msg;
                            while ((msg = ch.receiver().recv().join()) != null) {
                                CompletableFuture<Integer> respondTo = null;
                                if (msg[0] == "get") {
                                    @SuppressWarnings("unchecked")
                                    CompletableFuture<Integer> r =
                                            (CompletableFuture<Integer>) msg[1];
                                    respondTo = r;
                                } else {
                                    receivedSelfMsg = true;
                                }
                                if (i == 0) {
                                    Mpsc.UnboundedSender<Object[]> s = self.upgrade();
                                    if (s != null) {
                                        s.send(new Object[] {"self"});
                                        Mpsc.WeakUnboundedSender<Object[]> again = s.downgrade();
                                        s.close();
                                        self.close();
                                        self = again;
                                    }
                                }
                                if (respondTo != null) {
                                    respondTo.complete(1);
                                }
                                i++;
                            }
                            self.close();
                            return receivedSelfMsg;
                        });

        CompletableFuture<Integer> reply = new CompletableFuture<>();
        handle.send(new Object[] {"get", reply});
        assertEquals(1, Race.await(reply));
        handle.close();
        assertTrue(Race.await(actor));
    }

    /** tokio drops the queued messages with the receiver; here the later send must fail. */
    @Test
    void msgsDroppedOnRxDrop() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.channel(3);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Receiver<String> rx = ch.receiver();
        tx.send("a").join();
        tx.send("b").join();
        CompletableFuture<Void> sent = tx.send("c");
        assertNotNull(Race.await(rx.recv()));
        assertNotNull(Race.await(rx.recv()));
        Race.await(sent);
        rx.close();
        ExecutionException e = assertThrowsExecution(tx.send("d"));
        assertInstanceOf(ClosedException.class, e.getCause());
    }

    @Test
    void msgsDroppedOnUnboundedRxDrop() throws Exception {
        Mpsc.UnboundedChannel<String> ch = Mpsc.unboundedChannel();
        ch.sender().send("a");
        ch.sender().send("b");
        assertEquals("a", Race.await(ch.receiver().recv()));
        ch.receiver().close();
        assertThrowsClosed(() -> ch.sender().send("c"));
    }

    @Test
    void downgradeUpgradeSenderSuccess() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.WeakSender<Integer> weak = ch.sender().downgrade();
        assertNotNull(weak.upgrade());
    }

    @Test
    void downgradeUpgradeSenderFailure() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.WeakSender<Integer> weak = ch.sender().downgrade();
        ch.sender().close();
        assertNull(weak.upgrade());
    }

    @Test
    void downgradeDropUpgrade() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> c = ch.sender().clone();
        Mpsc.WeakSender<Integer> weak = c.downgrade();
        c.close();
        ch.sender().close();
        assertNull(weak.upgrade());
    }

    /** tokio moves the sender into the owned permit; here the permit holds its own handle. */
    @Test
    void downgradeGetPermitUpgradeNoSenders() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.WeakSender<Integer> weak = ch.sender().downgrade();
        Mpsc.OwnedPermit<Integer> permit = Race.await(ch.sender().reserveOwned());
        ch.sender().close();
        Mpsc.Sender<Integer> up = weak.upgrade();
        assertNotNull(up);
        up.close();
        permit.close();
        assertNull(weak.upgrade());
        assertTrue(ch.receiver().isClosed());
    }

    @Test
    void downgradeUpgradeGetPermitNoSenders() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> tx2 = ch.sender().clone();
        Mpsc.OwnedPermit<Integer> permit = Race.await(ch.sender().reserveOwned());
        ch.sender().close();
        Mpsc.WeakSender<Integer> weak = tx2.downgrade();
        tx2.close();
        assertNotNull(weak.upgrade());
        permit.close();
    }

    @Test
    void txCountWeakSender() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.WeakSender<Integer> w1 = ch.sender().downgrade();
        Mpsc.WeakSender<Integer> w2 = ch.sender().downgrade();
        ch.sender().close();
        assertTrue(w1.upgrade() == null && w2.upgrade() == null);
    }

    @Test
    void weakUnboundedSender() throws Exception {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> tx = ch.sender();
        Mpsc.WeakUnboundedSender<Integer> txWeak =
                CompletableFuture.supplyAsync(
                                () -> {
                                    Mpsc.UnboundedSender<Integer> c = tx.clone();
                                    Mpsc.WeakUnboundedSender<Integer> weak = c.downgrade();
                                    c.close();
                                    for (int i = 0; i < 10; i++) {
                                        tx.send(i);
                                    }
                                    Mpsc.UnboundedSender<Integer> tx2 = weak.upgrade();
                                    assertNotNull(tx2);
                                    tx2.send(20);
                                    Mpsc.WeakUnboundedSender<Integer> w2 = tx2.downgrade();
                                    tx2.close();
                                    weak.close();
                                    tx.close();
                                    return w2;
                                })
                        .get();
        for (int i = 0; i < 12; i++) {
            Integer msg = Race.await(ch.receiver().recv());
            if (msg == null) {
                assertEquals(11, i);
                break;
            }
            if (i == 10) {
                assertEquals(20, msg);
            }
        }
        assertNull(txWeak.upgrade());
    }

    @Test
    void downgradeUpgradeUnboundedSenderSuccess() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        assertNotNull(ch.sender().downgrade().upgrade());
    }

    @Test
    void downgradeUpgradeUnboundedSenderFailure() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.WeakUnboundedSender<Integer> weak = ch.sender().downgrade();
        ch.sender().close();
        assertNull(weak.upgrade());
    }

    @Test
    void downgradeDropUpgradeUnbounded() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> c = ch.sender().clone();
        Mpsc.WeakUnboundedSender<Integer> weak = c.downgrade();
        c.close();
        ch.sender().close();
        assertNull(weak.upgrade());
    }

    @Test
    void txCountWeakUnboundedSender() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.WeakUnboundedSender<Integer> w1 = ch.sender().downgrade();
        Mpsc.WeakUnboundedSender<Integer> w2 = ch.sender().downgrade();
        ch.sender().close();
        assertTrue(w1.upgrade() == null && w2.upgrade() == null);
    }

    @Test
    void rxIsClosedWhenDroppingAllSendersExceptWeakSenders() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(10);
        Mpsc.Sender<Integer> c = ch.sender().clone();
        Mpsc.WeakSender<Integer> weak = c.downgrade();
        c.close();
        ch.sender().close();
        assertTrue(ch.receiver().isClosed());
        weak.close();
    }

    @Test
    void rxUnboundedIsClosedWhenDroppingAllSendersExceptWeakSenders() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> c = ch.sender().clone();
        Mpsc.WeakUnboundedSender<Integer> weak = c.downgrade();
        c.close();
        ch.sender().close();
        assertTrue(ch.receiver().isClosed());
        weak.close();
    }

    @Test
    void senderStrongCountWhenCloned() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> tx2 = ch.sender().clone();
        assertEquals(2, ch.sender().strongCount());
        assertEquals(2, tx2.strongCount());
        assertEquals(2, ch.receiver().senderStrongCount());
    }

    @Test
    void senderWeakCountWhenDowngraded() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.WeakSender<Integer> weak = ch.sender().downgrade();
        assertEquals(1, ch.sender().weakCount());
        assertEquals(1, weak.weakCount());
    }

    @Test
    void senderStrongCountWhenDropped() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.sender().clone().close();
        assertEquals(1, ch.sender().strongCount());
        assertEquals(1, ch.receiver().senderStrongCount());
    }

    @Test
    void senderWeakCountWhenDropped() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.sender().downgrade().close();
        assertEquals(0, ch.sender().weakCount());
        assertEquals(0, ch.receiver().senderWeakCount());
    }

    @Test
    void senderStrongAndWeakCount() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        Mpsc.Sender<Integer> tx = ch.sender();
        Mpsc.Sender<Integer> tx2 = tx.clone();
        Mpsc.WeakSender<Integer> weak = tx.downgrade();
        Mpsc.WeakSender<Integer> weak2 = tx2.downgrade();
        for (int n :
                new int[] {
                    tx.strongCount(), tx2.strongCount(), weak.strongCount(), weak2.strongCount(),
                    ch.receiver().senderStrongCount(), tx.weakCount(), tx2.weakCount(),
                            weak.weakCount(),
                    weak2.weakCount(), ch.receiver().senderWeakCount()
                }) {
            assertEquals(2, n);
        }
        tx2.close();
        weak2.close();
        for (int n :
                new int[] {
                    tx.strongCount(), weak.strongCount(), ch.receiver().senderStrongCount(),
                    tx.weakCount(), weak.weakCount(), ch.receiver().senderWeakCount()
                }) {
            assertEquals(1, n);
        }
    }

    @Test
    void unboundedSenderStrongCountWhenCloned() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> tx2 = ch.sender().clone();
        assertEquals(2, ch.sender().strongCount());
        assertEquals(2, tx2.strongCount());
        assertEquals(2, ch.receiver().senderStrongCount());
    }

    @Test
    void unboundedSenderWeakCountWhenDowngraded() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.WeakUnboundedSender<Integer> weak = ch.sender().downgrade();
        assertEquals(1, ch.sender().weakCount());
        assertEquals(1, weak.weakCount());
        assertEquals(1, ch.receiver().senderWeakCount());
    }

    @Test
    void unboundedSenderStrongCountWhenDropped() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        ch.sender().clone().close();
        assertEquals(1, ch.sender().strongCount());
        assertEquals(1, ch.receiver().senderStrongCount());
    }

    @Test
    void unboundedSenderWeakCountWhenDropped() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        ch.sender().downgrade().close();
        assertEquals(0, ch.sender().weakCount());
        assertEquals(0, ch.receiver().senderWeakCount());
    }

    @Test
    void unboundedSenderStrongAndWeakCount() {
        Mpsc.UnboundedChannel<Integer> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Integer> tx = ch.sender();
        Mpsc.UnboundedSender<Integer> tx2 = tx.clone();
        Mpsc.WeakUnboundedSender<Integer> weak = tx.downgrade();
        Mpsc.WeakUnboundedSender<Integer> weak2 = tx2.downgrade();
        for (int n :
                new int[] {
                    tx.strongCount(), tx2.strongCount(), weak.strongCount(), weak2.strongCount(),
                    ch.receiver().senderStrongCount(), tx.weakCount(), tx2.weakCount(),
                            weak.weakCount(),
                    weak2.weakCount(), ch.receiver().senderWeakCount()
                }) {
            assertEquals(2, n);
        }
        tx2.close();
        weak2.close();
        for (int n :
                new int[] {
                    tx.strongCount(), weak.strongCount(), ch.receiver().senderStrongCount(),
                    tx.weakCount(), weak.weakCount(), ch.receiver().senderWeakCount()
                }) {
            assertEquals(1, n);
        }
        assertFalse(ch.receiver().isClosed());
    }

    private static ExecutionException assertThrowsExecution(CompletableFuture<?> f) {
        return org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> Race.await(f));
    }

    private static void assertThrowsClosed(Runnable r) {
        try {
            r.run();
        } catch (CompletionException | ClosedException e) {
            return;
        }
        throw new AssertionError("expected ClosedException");
    }
}
