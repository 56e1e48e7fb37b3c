package dev.tributary.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * The monitoring getters that metrics binders read: {@link Semaphore#waiterCount()}, {@link
 * Mutex#waiterCount()} and {@link Broadcast.Sender#laggedCount()}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MonitoringGettersTest {

    @Test
    void semaphoreWaiterCountFollowsQueueAndWithdrawal() {
        Semaphore s = new Semaphore(1);
        assertEquals(0, s.waiterCount());
        SemaphorePermit held = s.tryAcquire();
        List<CompletableFuture<SemaphorePermit>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(s.acquire());
            assertEquals(i + 1, s.waiterCount());
        }
        waiting.get(1).cancel(false);
        assertEquals(2, s.waiterCount(), "a withdrawn acquisition no longer counts");
        held.close();
        assertEquals(1, s.waiterCount(), "the head was granted");
        waiting.get(0).join().close();
        assertEquals(0, s.waiterCount());
        waiting.get(2).join().close();
        assertEquals(1, s.availablePermits());
    }

    @Test
    void mutexWaiterCountFollowsQueue() {
        Mutex<String> m = new Mutex<>("v");
        MutexGuard<String> g = m.tryLock();
        CompletableFuture<MutexGuard<String>> a = m.lock();
        CompletableFuture<MutexGuard<String>> b = m.lock();
        assertEquals(2, m.waiterCount());
        g.close();
        assertEquals(1, m.waiterCount());
        a.join().close();
        assertEquals(0, m.waiterCount());
        b.join().close();
        assertFalse(m.isLocked());
    }

    @Test
    void laggedCountSumsTheMissedCountsOfEveryReceiver() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(2);
        Broadcast.Sender<Integer> tx = ch.sender();
        Broadcast.Receiver<Integer> polled = ch.receiver();
        Broadcast.Receiver<Integer> blocking = tx.subscribe();
        Broadcast.Receiver<Integer> async = tx.subscribe();
        for (int i = 0; i < 5; i++) {
            tx.send(i); // capacity 2: each receiver misses 3
        }
        assertEquals(0, tx.laggedCount(), "nothing is counted before a receiver notices");

        LaggedException e = assertThrows(LaggedException.class, polled::tryRecv);
        assertEquals(3, e.missed());
        assertEquals(3, tx.laggedCount());

        assertThrows(LaggedException.class, blocking::blockingRecv);
        assertEquals(6, tx.laggedCount());

        CompletionException c = assertThrows(CompletionException.class, () -> async.recv().join());
        assertTrue(c.getCause() instanceof LaggedException);
        assertEquals(3, async.recv().join(), "the next receive resumes at the oldest value");
        assertEquals(9, tx.laggedCount(), "the async lag is counted when it next receives");

        assertEquals(3, polled.tryRecv());
        assertEquals(9, tx.laggedCount(), "values received in turn are not lags");
    }

    @Test
    void laggedCountIncludesThePublisherViewsSkips() {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Sender<Integer> tx = ch.sender();
        ch.receiver().close();
        AtomicLong reported = new AtomicLong();
        Collector sub = new Collector();
        Flux.from(tx.asPublisher(LagPolicy.SKIP, reported::addAndGet)).subscribe(sub);
        for (int i = 0; i < 10; i++) {
            tx.send(i); // no demand yet: the view's receiver misses 6 of them
        }
        assertEquals(0, tx.laggedCount());
        sub.pull();
        assertEquals(List.of(6, 7, 8, 9), sub.got);
        assertEquals(6, reported.get());
        assertEquals(6, tx.laggedCount(), "the view's skip counts as the onLag report says");
    }

    /** Requests nothing until {@link #pull()}. */
    static final class Collector extends BaseSubscriber<Integer> {
        final List<Integer> got = new ArrayList<>();

        @Override
        protected void hookOnSubscribe(Subscription s) {
            // no demand until pull()
        }

        @Override
        protected void hookOnNext(Integer v) {
            got.add(v);
        }

        void pull() {
            request(Long.MAX_VALUE);
        }
    }
}
