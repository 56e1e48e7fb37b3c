package dev.tributary.sync.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SetOnce;
import dev.tributary.sync.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound over the adapters and the async paths of sync-core, all driven from {@code
 * Schedulers.parallel()} (non-blocking threads) with contention, and the fail-fast {@code
 * blocking*} check seen from the adapter side.
 */
@ExtendWith(BlockHoundSupport.class)
@Timeout(60)
class BlockHoundTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void blockHoundIsActive() {
        // Without this the other tests could pass with BlockHound not installed.
        StepVerifier.create(
                        Mono.fromCallable(
                                        () -> {
                                            // The blocking call BlockHound must catch, not a wait.
                                            Thread.sleep(1);
                                            return 1;
                                        })
                                .subscribeOn(Schedulers.parallel()))
                .expectError(BlockingOperationError.class)
                .verify(WAIT);
        assertEquals(1, BlockHoundSupport.drain().size());
    }

    @Test
    void locksAndPermitsHandedOffBetweenParallelThreads() {
        Mutex<Integer> mutex = new Mutex<>(0);
        RwLock<Integer> rw = new RwLock<>(0);
        Semaphore sem = new Semaphore(2);
        int n = 4_000;
        Flux<Integer> work =
                Flux.range(0, n)
                        .parallel(4)
                        .runOn(Schedulers.parallel())
                        .flatMap(
                                i -> {
                                    switch (i % 4) {
                                        case 0:
                                            return ReactorSync.withLock(
                                                    mutex,
                                                    g -> {
                                                        g.set(g.get() + 1);
                                                        return Mono.just(1)
                                                                .publishOn(Schedulers.parallel());
                                                    });
                                        case 1:
                                            return ReactorSync.withWrite(
                                                    rw,
                                                    g -> {
                                                        g.set(g.get() + 1);
                                                        return Mono.just(1)
                                                                .publishOn(Schedulers.parallel());
                                                    });
                                        case 2:
                                            return ReactorSync.withRead(
                                                    rw,
                                                    g ->
                                                            Mono.just(1)
                                                                    .publishOn(
                                                                            Schedulers.parallel()));
                                        default:
                                            return ReactorSync.withPermit(
                                                    sem,
                                                    Mono.just(1).publishOn(Schedulers.parallel()));
                                    }
                                })
                        .sequential();
        StepVerifier.create(work.count()).expectNext((long) n).expectComplete().verify(WAIT);
        assertEquals(n / 4, mutex.tryLock().get());
        assertEquals(2, sem.availablePermits());
        StepVerifier.create(
                        Flux.range(0, 2_000)
                                .transform(
                                        ReactorSync.limit(
                                                sem,
                                                i -> Mono.just(i).publishOn(Schedulers.parallel())))
                                .subscribeOn(Schedulers.parallel())
                                .count())
                .expectNext(2_000L)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(
                        ReactorSync.lock(new Mutex<>(1))
                                .doOnNext(g -> g.close())
                                .then(ReactorSync.acquire(sem, 2).doOnNext(p -> p.close()))
                                .subscribeOn(Schedulers.parallel()))
                .expectNextCount(1)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void channelsDrivenFromParallelThreads() {
        // mpsc: four sendAlls on parallel threads into a small channel, drained on parallel.
        Mpsc.Channel<Integer> ch = Mpsc.channel(4);
        List<Mono<Void>> producers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            Mpsc.Sender<Integer> tx = ch.sender().clone();
            producers.add(
                    ReactorChannels.sendAll(
                                    tx, Flux.range(0, 2_000).subscribeOn(Schedulers.parallel()))
                            .doFinally(s -> tx.close()));
        }
        ch.sender().close();
        StepVerifier.create(
                        Mono.zip(
                                        Mono.when(producers).thenReturn(0),
                                        ReactorChannels.flux(ch.receiver())
                                                .publishOn(Schedulers.parallel(), 2)
                                                .count())
                                .map(t -> t.getT2()))
                .expectNext(8_000L)
                .expectComplete()
                .verify(WAIT);

        // broadcast: a sender on a parallel thread, two subscribers.
        Broadcast.Sender<Integer> btx = Broadcast.sender(64);
        Flux<Integer> bflux = ReactorChannels.flux(btx, LagPolicy.SKIP);
        AtomicInteger bcount = new AtomicInteger();
        var s1 = bflux.publishOn(Schedulers.parallel()).subscribe(v -> bcount.incrementAndGet());
        var s2 = bflux.publishOn(Schedulers.parallel()).subscribe(v -> bcount.incrementAndGet());
        StepVerifier.create(
                        Flux.range(0, 1_000)
                                .concatMap(i -> ReactorChannels.send(btx, i))
                                .subscribeOn(Schedulers.parallel())
                                .then(Mono.fromRunnable(btx::close)))
                .expectComplete()
                .verify(WAIT);
        s1.dispose();
        s2.dispose();

        // watch: stores on parallel threads, a waitFor and a Flux.
        Watch.Channel<Integer> w = Watch.channel(0);
        Mono<Integer> reached = ReactorChannels.waitFor(w.receiver(), v -> v == 500);
        StepVerifier.create(
                        Mono.zip(
                                        reached,
                                        Flux.range(1, 500)
                                                .concatMap(i -> ReactorChannels.send(w.sender(), i))
                                                .subscribeOn(Schedulers.parallel())
                                                .then(Mono.just(0)))
                                .map(t -> t.getT1()))
                .expectNext(500)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(
                        ReactorChannels.flux(w.receiver())
                                .take(1)
                                .subscribeOn(Schedulers.parallel()))
                .expectNext(500)
                .expectComplete()
                .verify(WAIT);

        // oneshot
        Oneshot.Channel<String> os = Oneshot.channel();
        StepVerifier.create(
                        Mono.zip(
                                        ReactorChannels.mono(os.receiver())
                                                .subscribeOn(Schedulers.parallel()),
                                        ReactorChannels.send(os.sender(), "v")
                                                .subscribeOn(Schedulers.parallel())
                                                .thenReturn(0))
                                .map(t -> t.getT1()))
                .expectNext("v")
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void oneTimeWaitsFromParallelThreads() {
        Notify notify = new Notify();
        Barrier barrier = new Barrier(4);
        OnceCell<Integer> cell = new OnceCell<>();
        SetOnce<String> set = new SetOnce<>();
        AtomicInteger inits = new AtomicInteger();
        Mono<Integer> get =
                ReactorSync.getOrInit(
                        cell,
                        () ->
                                Mono.fromCallable(inits::incrementAndGet)
                                        .delayElement(Duration.ofMillis(5)));
        StepVerifier.create(
                        Flux.merge(
                                        Flux.range(0, 4)
                                                .flatMap(
                                                        i ->
                                                                ReactorSync.await(barrier)
                                                                        .subscribeOn(
                                                                                Schedulers
                                                                                        .parallel()))
                                                .then(),
                                        Flux.range(0, 8)
                                                .flatMap(
                                                        i -> get.subscribeOn(Schedulers.parallel()))
                                                .then(),
                                        ReactorSync.notified(notify)
                                                .subscribeOn(Schedulers.parallel()),
                                        Mono.fromRunnable(notify::notifyOne)
                                                .delaySubscription(Duration.ofMillis(5)),
                                        ReactorSync.await(set).subscribeOn(Schedulers.parallel()),
                                        Mono.fromRunnable(() -> set.set("x"))
                                                .subscribeOn(Schedulers.parallel()))
                                .then())
                .expectComplete()
                .verify(WAIT);
        assertEquals(1, inits.get());
    }

    @Test
    void aBlockingCallOnAParallelThreadFailsFastWithAnExplanation() {
        Semaphore sem = new Semaphore(0);
        Mutex<Integer> mutex = new Mutex<>(0);
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        List<Callable<?>> blocking =
                List.of(
                        sem::blockingAcquire,
                        mutex::blockingLock,
                        () -> ch.receiver().blockingRecv(),
                        () -> new RwLock<>(0).blockingWrite(),
                        () -> new Barrier(2).blockingAwait(),
                        () -> new SetOnce<Integer>().blockingAwait());
        for (Callable<?> call : blocking) {
            StepVerifier.create(Mono.fromCallable(call).subscribeOn(Schedulers.parallel()))
                    .expectErrorSatisfies(
                            e -> {
                                assertTrue(e instanceof IllegalStateException, e.toString());
                                assertTrue(
                                        e.getMessage().contains("a non-blocking (Reactor) thread"),
                                        e.getMessage());
                                assertTrue(e.getMessage().contains("parallel-"), e.getMessage());
                            })
                    .verify(WAIT);
        }
        // It failed before parking: nothing was registered, nothing for BlockHound to see.
        assertFalse(sem.hasQueuedWaiters());
        assertFalse(mutex.isLocked());
    }

    @Test
    void contendedMutexLockOnParallelThreadsIsAllowedByTheIntegration() {
        {
            Mutex<Integer> mutex = new Mutex<>(0);
            StepVerifier.create(
                            Flux.range(0, 20_000)
                                    .parallel(4)
                                    .runOn(Schedulers.parallel())
                                    .flatMap(
                                            i ->
                                                    ReactorSync.withLock(
                                                            mutex,
                                                            g ->
                                                                    Mono.just(1)
                                                                            .publishOn(
                                                                                    Schedulers
                                                                                            .parallel())))
                                    .sequential()
                                    .count())
                    .expectNext(20_000L)
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    @Test
    void halfWrittenSlotSpinOnParallelThreadsIsAllowedByTheIntegration() {
        // Four parallel threads send while a parallel thread receives: the receive (and the
        // sends) may spin for a slot another sender is writing. With SKIP the receiver sees an
        // unknown share of the 400,000 values; the stream ends when the sender closes.
        Broadcast.Channel<Integer> ch = Broadcast.channel(1024);
        Broadcast.Sender<Integer> tx = ch.sender();
        Mono<Long> received =
                ReactorChannels.flux(ch.receiver(), LagPolicy.SKIP)
                        .publishOn(Schedulers.parallel(), 1)
                        .count();
        Mono<Long> sent =
                Flux.range(0, 4)
                        .parallel(4)
                        .runOn(Schedulers.parallel())
                        .doOnNext(
                                p -> {
                                    for (int i = 0; i < 100_000; i++) {
                                        tx.send(i);
                                    }
                                })
                        .sequential()
                        .then(Mono.fromRunnable(tx::close))
                        .thenReturn(400_000L);
        StepVerifier.create(Mono.zip(received, sent))
                .assertNext(
                        t -> {
                            assertTrue(t.getT1() > 0, "received " + t.getT1());
                            assertTrue(t.getT1() <= t.getT2(), "received " + t.getT1());
                        })
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void theIntegrationIsRegisteredForServiceLoader() {
        boolean found = false;
        for (BlockHoundIntegration i : ServiceLoader.load(BlockHoundIntegration.class)) {
            found |= i instanceof TributaryBlockHoundIntegration;
        }
        assertTrue(found, "META-INF/services must name TributaryBlockHoundIntegration");
    }

    @Test
    void aPlainContendedLockIsStillReported() throws Exception {
        // The allowance names ShortLock.lock only: any other park on a parallel thread is caught.
        ReentrantLock plain = new ReentrantLock();
        plain.lock();
        try {
            StepVerifier.create(
                            Mono.fromRunnable(
                                            () -> {
                                                plain.lock();
                                                plain.unlock();
                                            })
                                    .subscribeOn(Schedulers.parallel()))
                    .expectError(BlockingOperationError.class)
                    .verify(WAIT);
        } finally {
            plain.unlock();
        }
        assertEquals(1, BlockHoundSupport.drain().size());
    }
}
