package dev.tributary.sync.rxjava3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Semaphore;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.CompositeException;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The guard-owning operator behind the {@code with*} methods. */
class GuardedFlowableTest {

    /** A guard that counts its closes. */
    static final class CountingGuard implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void cancelBeforeTheGrantDisposesTheAcquisition() {
        SingleSubject<CountingGuard> acquire = SingleSubject.create();
        TestSubscriber<Integer> ts =
                new GuardedFlowable<CountingGuard, Integer>(acquire, g -> Flowable.just(1)).test();
        assertTrue(acquire.hasObservers());
        ts.cancel();
        assertFalse(acquire.hasObservers(), "the acquisition was disposed");
    }

    @Test
    void aGuardThatArrivesAfterTheCancelIsClosedAtOnce() {
        // a grant racing the disposal: the success lands after the cancel
        SingleObserver<?>[] captured = new SingleObserver<?>[1];
        Single<CountingGuard> racing =
                new Single<>() {
                    @Override
                    protected void subscribeActual(SingleObserver<? super CountingGuard> o) {
                        captured[0] = o;
                        o.onSubscribe(Disposable.empty());
                    }
                };
        AtomicBoolean fnCalled = new AtomicBoolean();
        TestSubscriber<Integer> ts =
                new GuardedFlowable<CountingGuard, Integer>(
                                racing,
                                g -> {
                                    fnCalled.set(true);
                                    return Flowable.just(1);
                                })
                        .test();
        ts.cancel();
        CountingGuard g = new CountingGuard();
        @SuppressWarnings("unchecked")
        SingleObserver<CountingGuard> o = (SingleObserver<CountingGuard>) captured[0];
        o.onSuccess(g);
        assertEquals(1, g.closes.get());
        assertFalse(fnCalled.get());
        ts.assertEmpty();
    }

    @Test
    void guardIsClosedOnceWhateverTheOutcome() {
        CountingGuard completes = new CountingGuard();
        new GuardedFlowable<CountingGuard, Integer>(
                        Single.just(completes), g -> Flowable.just(1, 2))
                .test()
                .assertResult(1, 2);
        assertEquals(1, completes.closes.get());

        CountingGuard fails = new CountingGuard();
        IOException boom = new IOException();
        new GuardedFlowable<CountingGuard, Integer>(Single.just(fails), g -> Flowable.error(boom))
                .test()
                .assertError(boom);
        assertEquals(1, fails.closes.get());

        CountingGuard cancelled = new CountingGuard();
        PublishProcessor<Integer> inner = PublishProcessor.create();
        TestSubscriber<Integer> ts =
                new GuardedFlowable<CountingGuard, Integer>(Single.just(cancelled), g -> inner)
                        .test();
        ts.cancel();
        ts.cancel();
        assertFalse(inner.hasSubscribers());
        assertEquals(1, cancelled.closes.get());
    }

    @Test
    void theDownstreamFindsTheMutexFreeOnCompletion() {
        Mutex<Integer> m = new Mutex<>(0);
        AtomicBoolean lockedAtCompletion = new AtomicBoolean(true);
        RxSync.withLock(m, g -> Flowable.just(1))
                .doOnComplete(() -> lockedAtCompletion.set(m.isLocked()))
                .test()
                .assertResult(1);
        assertFalse(lockedAtCompletion.get());
    }

    @Test
    void fnClosingTheGuardItselfIsAnError() {
        Mutex<Integer> m = new Mutex<>(0);
        RxSync.withLock(
                        m,
                        g -> {
                            g.close();
                            return Flowable.just(1);
                        })
                .test()
                .assertValues(1)
                .assertError(IllegalStateException.class);
        IOException boom = new IOException();
        RxSync.withLock(
                        m,
                        g -> {
                            g.close();
                            return Flowable.<Integer>error(boom);
                        })
                .test()
                .assertError(CompositeException.class);
        assertFalse(m.isLocked());
    }

    @Test
    void demandBeforeTheGuardIsHandedOver() {
        Semaphore sem = new Semaphore(0);
        TestSubscriber<Integer> ts = RxSync.withPermit(sem, Flowable.range(0, 10)).test(3);
        sem.addPermits(1);
        ts.assertValues(0, 1, 2);
        ts.request(7);
        ts.assertValueCount(10).assertComplete();
        assertEquals(1, sem.availablePermits());
    }

    @Test
    void nonPositiveRequestIsReported() {
        try (PluginErrors plugin = new PluginErrors()) {
            Semaphore sem = new Semaphore(1);
            TestSubscriber<Integer> ts = RxSync.withPermit(sem, Flowable.range(0, 10)).test(0);
            ts.request(0);
            assertTrue(plugin.causes().get(0) instanceof IllegalArgumentException);
            ts.cancel();
            assertEquals(1, sem.availablePermits());
        }
    }

    @Test
    void innerErrorAfterCancelGoesToRxJavaPlugins() {
        try (PluginErrors plugin = new PluginErrors()) {
            Mutex<Integer> m = new Mutex<>(0);
            org.reactivestreams.Subscriber<?>[] captured = new org.reactivestreams.Subscriber<?>[1];
            TestSubscriber<Integer> ts =
                    RxSync.<Integer, Integer>withLock(
                                    m,
                                    g ->
                                            s -> {
                                                captured[0] = s;
                                                s.onSubscribe(
                                                        new org.reactivestreams.Subscription() {
                                                            @Override
                                                            public void request(long n) {}

                                                            @Override
                                                            public void cancel() {}
                                                        });
                                            })
                            .test();
            ts.cancel();
            assertFalse(m.isLocked());
            IOException late = new IOException("late");
            captured[0].onError(late);
            ts.assertNoErrors();
            assertEquals(java.util.List.of(late), plugin.causes());
        }
    }

    @Test
    void guardsAreNeverLeakedWhenCancelRacesTheGrant() {
        Mutex<Integer> m = new Mutex<>(0);
        for (int i = 0; i < 3_000; i++) {
            MutexGuard<Integer> held = m.tryLock();
            TestSubscriber<Integer> ts = RxSync.withLock(m, g -> Flowable.just(1)).test();
            Race.race(ts::cancel, held::close);
            assertFalse(m.isLocked(), "iteration " + i);
        }
    }
}
