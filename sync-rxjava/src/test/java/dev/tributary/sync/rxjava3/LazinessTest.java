package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Barrier;
import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.Notify;
import dev.tributary.sync.OnceCell;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.RwLock;
import dev.tributary.sync.RwLockWriteGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SetOnce;
import dev.tributary.sync.Watch;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Every entry point: no side effect at assembly, and each subscription is a fresh operation. */
class LazinessTest {

    @Test
    void stateEntryPointsDoNothingUntilSubscribed() {
        Semaphore sem = new Semaphore(0);
        Mutex<Integer> m = new Mutex<>(0);
        RwLock<Integer> rw = new RwLock<>(0);
        Notify notify = new Notify();
        Barrier barrier = new Barrier(2);
        OnceCell<String> cell = new OnceCell<>();
        SetOnce<String> setOnce = new SetOnce<>();
        AtomicInteger inits = new AtomicInteger();

        RxSync.acquire(sem);
        RxSync.acquire(sem, 2);
        RxSync.withPermit(sem, Flowable.just(1));
        RxSync.withPermits(sem, 2, Flowable.just(1));
        Flowable.just(1).compose(RxSync.limit(sem, Flowable::just));
        RxSync.lock(m);
        RxSync.withLock(m, g -> Flowable.just(1));
        RxSync.read(rw);
        RxSync.write(rw);
        RxSync.withRead(rw, g -> Flowable.just(1));
        RxSync.withWrite(rw, g -> Flowable.just(1));
        RxSync.notified(notify);
        RxSync.await(barrier);
        RxSync.getOrInit(
                cell,
                () -> {
                    inits.incrementAndGet();
                    return Single.just("v");
                });
        RxSync.await(setOnce);

        assertFalse(sem.hasQueuedWaiters());
        assertFalse(m.isLocked());
        RwLockWriteGuard<Integer> w = rw.tryWrite();
        assertTrue(w != null, "nobody read- or write-locked or queued");
        w.close();
        notify.notifyOne(); // stored, not consumed by anything assembled above
        RxSync.notified(notify).test().assertComplete();
        // the barrier counted no arrival: two subscriptions complete one generation
        RxSync.await(barrier).test().assertEmpty();
        RxSync.await(barrier).test().assertValueCount(1);
        assertEquals(0, inits.get());
        assertFalse(cell.initialized());
    }

    @Test
    void eachSubscriptionIsAFreshOperation() {
        Semaphore sem = new Semaphore(2);
        Single<?> acquire = RxSync.acquire(sem);
        acquire.test();
        acquire.test();
        assertEquals(0, sem.availablePermits(), "two subscriptions, two permits");

        Barrier barrier = new Barrier(2);
        Single<?> await = RxSync.await(barrier);
        await.test();
        await.test().assertValueCount(1);

        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        var send = RxChannels.send(ch.sender(), 7);
        send.test();
        send.test();
        assertEquals(2, ch.receiver().len());
    }

    @Test
    void channelEntryPointsDoNothingUntilSubscribed() {
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Mpsc.UnboundedChannel<Integer> u = Mpsc.unboundedChannel();
        Broadcast.Channel<Integer> b = Broadcast.channel(4);
        Watch.Channel<Integer> w = Watch.channel(0);
        Oneshot.Channel<Integer> o = Oneshot.channel();
        ch.sender().trySend(1);
        o.sender().send(1);
        AtomicInteger sourceSubscribed = new AtomicInteger();

        RxChannels.flowable(ch.receiver());
        RxChannels.flowable(u.receiver());
        RxChannels.flowable(b.receiver(), LagPolicy.ERROR);
        RxChannels.flowable(b.sender(), LagPolicy.SKIP);
        RxChannels.flowable(w.receiver());
        RxChannels.flowable(w.sender());
        RxChannels.maybe(o.receiver());
        RxChannels.send(ch.sender(), 2);
        RxChannels.send(u.sender(), 2);
        RxChannels.send(b.sender(), 2);
        RxChannels.send(w.sender(), 2);
        RxChannels.sendAll(
                ch.sender(),
                Flowable.just(3).doOnSubscribe(s -> sourceSubscribed.incrementAndGet()));
        RxChannels.changed(w.receiver());
        RxChannels.waitFor(w.receiver(), v -> v > 0);

        assertEquals(1, ch.receiver().len(), "nothing sent or received");
        assertNull(u.receiver().tryRecv());
        assertEquals(1, b.sender().receiverCount(), "no receiver subscribed");
        assertEquals(0, b.sender().len());
        assertEquals(1, w.sender().receiverCount(), "no clone made");
        assertEquals(0, w.receiver().borrow().get());
        assertFalse(o.receiver().isEmpty(), "the oneshot value is still there");
        assertEquals(0, sourceSubscribed.get());
        // no watch wait is pending: a changed() of our own is allowed
        w.sender().send(5);
        RxChannels.changed(w.receiver()).test().assertComplete();
    }
}
