package dev.tributary.sync.reactor;

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
import dev.tributary.sync.SemaphorePermit;
import dev.tributary.sync.SetOnce;
import dev.tributary.sync.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Laziness and freshness: assembling an entry point registers no waiter, takes no permit and
 * receives or sends nothing; each subscription is a fresh operation. Also the stack-safety of
 * signals delivered from a long chain of hand-offs on one thread.
 */
@ExtendWith(BlockHoundSupport.class)
class LazinessTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void assemblingDoesNothing() {
        Semaphore sem = new Semaphore(1);
        Mutex<Integer> mutex = new Mutex<>(0);
        RwLock<Integer> rw = new RwLock<>(0);
        Notify notify = new Notify();
        Barrier barrier = new Barrier(2);
        OnceCell<Integer> cell = new OnceCell<>();
        SetOnce<Integer> set = new SetOnce<>();
        Mpsc.Channel<Integer> mpsc = Mpsc.channel(1);
        Broadcast.Channel<Integer> bc = Broadcast.channel(2);
        Watch.Channel<Integer> w = Watch.channel(0);
        Oneshot.Channel<Integer> os = Oneshot.channel();
        AtomicInteger calls = new AtomicInteger();

        List<Object> assembled = new ArrayList<>();
        assembled.add(ReactorSync.acquire(sem));
        assembled.add(ReactorSync.acquire(sem, 1));
        assembled.add(ReactorSync.withPermit(sem, Mono.fromRunnable(calls::incrementAndGet)));
        assembled.add(ReactorSync.withPermits(sem, 1, Mono.fromRunnable(calls::incrementAndGet)));
        assembled.add(
                Flux.just(1)
                        .transform(
                                ReactorSync.limit(
                                        sem, v -> Mono.fromRunnable(calls::incrementAndGet))));
        assembled.add(ReactorSync.lock(mutex));
        assembled.add(ReactorSync.withLock(mutex, g -> Mono.fromRunnable(calls::incrementAndGet)));
        assembled.add(ReactorSync.read(rw));
        assembled.add(ReactorSync.write(rw));
        assembled.add(ReactorSync.withRead(rw, g -> Mono.fromRunnable(calls::incrementAndGet)));
        assembled.add(ReactorSync.withWrite(rw, g -> Mono.fromRunnable(calls::incrementAndGet)));
        assembled.add(ReactorSync.notified(notify));
        assembled.add(ReactorSync.await(barrier));
        assembled.add(
                ReactorSync.getOrInit(
                        cell, () -> Mono.fromCallable(calls::incrementAndGet).thenReturn(1)));
        assembled.add(ReactorSync.await(set));
        assembled.add(ReactorChannels.flux(mpsc.receiver()));
        assembled.add(ReactorChannels.send(mpsc.sender(), 1));
        assembled.add(ReactorChannels.sendAll(mpsc.sender(), Flux.just(1)));
        assembled.add(ReactorChannels.flux(bc.receiver(), LagPolicy.ERROR));
        assembled.add(ReactorChannels.flux(bc.sender(), LagPolicy.ERROR));
        assembled.add(ReactorChannels.send(bc.sender(), 1));
        assembled.add(ReactorChannels.flux(w.receiver()));
        assembled.add(ReactorChannels.send(w.sender(), 1));
        assembled.add(ReactorChannels.changed(w.receiver()));
        assembled.add(ReactorChannels.waitFor(w.receiver(), v -> true));
        assembled.add(ReactorChannels.mono(os.receiver()));
        assembled.add(ReactorChannels.send(os.sender(), 1));
        assertEquals(27, assembled.size());

        assertEquals(0, calls.get());
        assertEquals(1, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
        assertFalse(mutex.isLocked());
        RwLockWriteGuard<Integer> wg = rw.tryWrite();
        assertTrue(wg != null, "rw lock untouched");
        wg.close();
        try (var probe = notify.notified()) {
            assertFalse(probe.enable(), "no stored permit consumed or created");
        }
        assertNull(cell.get());
        assertEquals(0, mpsc.receiver().len());
        assertTrue(mpsc.sender().trySend(5), "no capacity taken");
        assertEquals(5, mpsc.receiver().tryRecv());
        assertEquals(1, bc.sender().receiverCount(), "only the channel's own receiver");
        assertEquals(0, bc.sender().len());
        assertEquals(0, w.sender().borrow().get());
        assertFalse(w.receiver().hasChanged());
        assertEquals(1, w.sender().receiverCount());
        assertTrue(os.receiver().isEmpty());
        assertFalse(os.receiver().isTerminated());
        // The barrier counted no arrival: two arrivals now make one generation, leader included.
        StepVerifier.create(Flux.merge(ReactorSync.await(barrier), ReactorSync.await(barrier)))
                .expectNextCount(2)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void everySubscriptionIsAFreshOperation() {
        Semaphore sem = new Semaphore(3);
        Mono<SemaphorePermit> acquire = ReactorSync.acquire(sem);
        List<SemaphorePermit> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(acquire.block(WAIT));
            assertEquals(2 - i, sem.availablePermits(), "subscription " + i + " acquired again");
        }
        held.forEach(SemaphorePermit::close);

        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        Mono<Void> send = ReactorChannels.send(ch.sender(), 7);
        send.block(WAIT);
        send.block(WAIT);
        assertEquals(2, ch.receiver().len(), "each subscription sent once more");

        AtomicInteger sourceSubscriptions = new AtomicInteger();
        Mono<Void> all =
                ReactorChannels.sendAll(
                        ch.sender(),
                        Flux.just(1).doOnSubscribe(s -> sourceSubscriptions.incrementAndGet()));
        all.block(WAIT);
        all.block(WAIT);
        assertEquals(2, sourceSubscriptions.get());
        assertEquals(4, ch.receiver().len());

        Mutex<Integer> mutex = new Mutex<>(0);
        Flux<Integer> increment =
                ReactorSync.withLock(
                        mutex,
                        g -> {
                            g.set(g.get() + 1);
                            return Mono.just(g.get());
                        });
        assertEquals(1, increment.blockLast(WAIT));
        assertEquals(2, increment.blockLast(WAIT));
    }

    @Test
    void aLongChainOfHandOffsOnOneThreadKeepsAFlatStack() {
        // 20,000 acquisitions queued on an empty semaphore; each subscriber releases its permit,
        // which grants the next one, on the same thread. Delivered inline, this would recurse
        // 20,000 levels deep (well past the 1 MB test stack); sync-core's trampoline keeps it flat.
        Semaphore sem = new Semaphore(0);
        int n = 20_000;
        AtomicInteger granted = new AtomicInteger();
        List<Disposable> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subs.add(
                    ReactorSync.acquire(sem)
                            .subscribe(
                                    p -> {
                                        granted.incrementAndGet();
                                        p.close();
                                    }));
        }
        sem.addPermits(1);
        assertEquals(n, granted.get());
        assertEquals(1, sem.availablePermits());
        assertFalse(sem.hasQueuedWaiters());
        subs.forEach(Disposable::dispose);
    }
}
