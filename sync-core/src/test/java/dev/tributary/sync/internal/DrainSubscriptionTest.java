package dev.tributary.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Behaviour of {@link DrainSubscription}, the drain loop under every publisher view. */
@Timeout(60)
class DrainSubscriptionTest {

    /** Emits 0, 1, 2, ... up to {@code limit} (exclusive), then completes if {@code completes}. */
    static final class Counter extends DrainSubscription<Long> {
        final AtomicLong available = new AtomicLong();
        long next;
        long limit = Long.MAX_VALUE;
        int cancelledHooks;
        int depth;
        int maxDepth;

        Counter(Subscriber<? super Long> s) {
            super(s);
        }

        @Override
        protected long emit(Subscriber<? super Long> a, long demand) {
            depth++;
            maxDepth = Math.max(maxDepth, depth);
            long e = 0;
            try {
                while (e < demand && next < available.get()) {
                    if (next == limit) {
                        complete(a);
                        return e;
                    }
                    a.onNext(next++);
                    e++;
                }
                if (next == limit) {
                    complete(a);
                }
                return e;
            } finally {
                depth--;
            }
        }

        @Override
        protected void cancelled() {
            cancelledHooks++;
        }
    }

    /** Records signals; runs a hook on each. */
    static class Recorder implements Subscriber<Long> {
        final List<Object> signals = new ArrayList<>();
        Subscription s;
        Consumer<Recorder> onSubscribe = r -> {};
        Consumer<Recorder> onNext = r -> {};

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            signals.add("subscribe");
            onSubscribe.accept(this);
        }

        @Override
        public void onNext(Long item) {
            signals.add(item);
            onNext.accept(this);
        }

        @Override
        public void onError(Throwable t) {
            signals.add(t);
        }

        @Override
        public void onComplete() {
            signals.add("complete");
        }
    }

    @Test
    void nullSubscriberIsRejectedNamingRule19() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new Counter(null));
        assertTrue(e.getMessage().contains("1.9"), e.getMessage());
    }

    @Test
    void requestInsideOnSubscribeEmitsOnlyAfterOnSubscribeReturns() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.available.set(5);
        r.onSubscribe =
                rec -> {
                    rec.s.request(2);
                    rec.signals.add("onSubscribe returns");
                };
        c.start();
        assertEquals(List.of("subscribe", "onSubscribe returns", 0L, 1L), r.signals);
    }

    @Test
    void requestInsideOnNextDoesNotRecurse() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.available.set(10_000);
        r.onNext = rec -> rec.s.request(1);
        c.start();
        c.request(1);
        assertEquals(10_001, r.signals.size());
        assertEquals(1, c.maxDepth);
    }

    @Test
    void demandAddsUpAndCapsAtLongMaxValue() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.start();
        c.request(Long.MAX_VALUE - 1);
        c.request(Long.MAX_VALUE - 1);
        c.available.set(1_000);
        c.drain();
        assertEquals(1_001, r.signals.size());
        // Unbounded demand is never decremented: more elements keep flowing.
        c.available.set(2_000);
        c.drain();
        assertEquals(2_001, r.signals.size());
    }

    @Test
    void demandIsNotExceeded() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.start();
        c.request(3);
        c.available.set(10);
        c.drain();
        assertEquals(List.of("subscribe", 0L, 1L, 2L), r.signals);
        c.request(2);
        assertEquals(List.of("subscribe", 0L, 1L, 2L, 3L, 4L), r.signals);
    }

    @Test
    void nonPositiveRequestCancelsAndSignalsIllegalArgumentNamingRule39() {
        for (long n : new long[] {0, -1, Long.MIN_VALUE}) {
            Recorder r = new Recorder();
            Counter c = new Counter(r);
            c.start();
            c.available.set(10);
            c.request(n);
            assertEquals(2, r.signals.size(), r.signals::toString);
            IllegalArgumentException e =
                    assertInstanceOf(IllegalArgumentException.class, r.signals.get(1));
            assertTrue(e.getMessage().contains("3.9"), e.getMessage());
            assertTrue(e.getMessage().contains("got " + n), e.getMessage());
            assertEquals(1, c.cancelledHooks);
            c.request(5);
            c.cancel();
            assertEquals(2, r.signals.size(), "nothing after the error");
            assertEquals(1, c.cancelledHooks);
        }
    }

    @Test
    void cancelRunsTheHookOnceAndStopsSignals() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.start();
        c.request(1);
        c.cancel();
        c.cancel();
        c.available.set(10);
        c.request(5);
        assertEquals(List.of("subscribe"), r.signals);
        assertEquals(1, c.cancelledHooks);
        assertTrue(c.isCancelled());
    }

    @Test
    void cancelInsideOnNextStopsAtThatElement() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.available.set(10);
        r.onNext = rec -> rec.s.cancel();
        c.start();
        c.request(10);
        // emit may finish its current pass, but the loop must stop before a second pass.
        assertEquals(1, c.cancelledHooks);
        assertTrue(r.signals.size() <= 11);
    }

    @Test
    void throwingOnSubscribeIsTreatedAsCancel() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        r.onSubscribe =
                rec -> {
                    throw new IllegalStateException("broken subscriber");
                };
        List<Throwable> reported = new ArrayList<>();
        Thread th = Thread.currentThread();
        Thread.UncaughtExceptionHandler previous = th.getUncaughtExceptionHandler();
        th.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            c.start();
        } finally {
            th.setUncaughtExceptionHandler(previous);
        }
        assertEquals(1, reported.size());
        c.available.set(3);
        c.request(3);
        assertEquals(List.of("subscribe"), r.signals);
        assertEquals(1, c.cancelledHooks);
    }

    @Test
    void throwingOnNextIsTreatedAsCancelAndNeverReachesTheRequester() throws Exception {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.available.set(10);
        r.onNext =
                rec -> {
                    throw new IllegalStateException("broken onNext");
                };
        c.start();
        List<Throwable> reported = new ArrayList<>();
        Thread th = Thread.currentThread();
        Thread.UncaughtExceptionHandler previous = th.getUncaughtExceptionHandler();
        th.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            c.request(5); // must not throw
        } finally {
            th.setUncaughtExceptionHandler(previous);
        }
        assertEquals(List.of("subscribe", 0L), r.signals);
        assertEquals(1, reported.size());
        assertEquals("broken onNext", reported.get(0).getMessage());
        assertEquals(1, c.cancelledHooks);
        assertTrue(c.isCancelled());
        assertNull(readActual(c));
        // The loop is free again: later calls run it and do nothing.
        c.request(1);
        c.cancel();
        assertEquals(List.of("subscribe", 0L), r.signals);
        assertEquals(1, c.cancelledHooks);
    }

    @Test
    void throwingOnCompleteDoesNotRunTheCancelHook() {
        Recorder r =
                new Recorder() {
                    @Override
                    public void onComplete() {
                        throw new IllegalStateException("broken onComplete");
                    }
                };
        Counter c = new Counter(r);
        c.limit = 0;
        c.available.set(1);
        Thread th = Thread.currentThread();
        Thread.UncaughtExceptionHandler previous = th.getUncaughtExceptionHandler();
        List<Throwable> reported = new ArrayList<>();
        th.setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            c.start();
            c.request(1);
        } finally {
            th.setUncaughtExceptionHandler(previous);
        }
        assertEquals(1, reported.size());
        assertEquals(0, c.cancelledHooks);
        assertNull(readActual(c));
    }

    @Test
    void completeIsSignalledOnceAndDropsTheSubscriber() {
        Recorder r = new Recorder();
        Counter c = new Counter(r);
        c.limit = 2;
        c.available.set(5);
        c.start();
        c.request(10);
        assertEquals(List.of("subscribe", 0L, 1L, "complete"), r.signals);
        c.cancel();
        c.request(1);
        assertEquals(0, c.cancelledHooks, "cancel after a terminal is a no-op");
        assertNull(readActual(c));
    }

    private static Object readActual(DrainSubscription<?> c) {
        try {
            java.lang.reflect.Field f = DrainSubscription.class.getDeclaredField("actual");
            f.setAccessible(true);
            return f.get(c);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void addCapSaturates() {
        assertEquals(5, DrainSubscription.addCap(2, 3));
        assertEquals(Long.MAX_VALUE, DrainSubscription.addCap(Long.MAX_VALUE, 1));
        assertEquals(Long.MAX_VALUE, DrainSubscription.addCap(Long.MAX_VALUE - 1, Long.MAX_VALUE));
    }

    /**
     * Two threads request one at a time and a third makes elements available and wakes the loop:
     * every element offered and requested is delivered exactly once and in order, and emit never
     * runs on two threads at once.
     */
    @Test
    void concurrentRequestsAndWakeUpsLoseNothing() throws Exception {
        for (int iter = 0; iter < 2_000; iter++) {
            final int n = 200;
            AtomicLong seen = new AtomicLong();
            AtomicLong disorder = new AtomicLong();
            Subscriber<Long> s =
                    new Subscriber<>() {
                        @Override
                        public void onSubscribe(Subscription sub) {}

                        @Override
                        public void onNext(Long item) {
                            if (item != seen.getAndIncrement()) {
                                disorder.incrementAndGet();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            disorder.incrementAndGet();
                        }

                        @Override
                        public void onComplete() {}
                    };
            Counter c = new Counter(s);
            c.start();
            CountDownLatch go = new CountDownLatch(1);
            Thread[] ts = new Thread[3];
            for (int t = 0; t < 2; t++) {
                ts[t] =
                        new Thread(
                                () -> {
                                    awaitQuietly(go);
                                    for (int i = 0; i < n / 2; i++) {
                                        c.request(1);
                                    }
                                });
            }
            ts[2] =
                    new Thread(
                            () -> {
                                awaitQuietly(go);
                                for (int i = 0; i < n; i++) {
                                    c.available.incrementAndGet();
                                    c.drain();
                                }
                            });
            for (Thread t : ts) {
                t.start();
            }
            go.countDown();
            for (Thread t : ts) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertEquals(0, disorder.get());
            assertEquals(n, seen.get(), "iteration " + iter);
            assertEquals(1, c.maxDepth);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
