package dev.tributary.sync.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Mpsc;
import io.reactivex.rxjava3.core.Flowable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The end-to-end check: {@code Flux.range(1, 10_000_000)} on its own thread through {@code
 * sender.asSubscriber()} into a capacity-16 channel, read through {@code receiver.asPublisher()} by
 * a slow subscriber whose requests (batches of 32) come from another thread. Everything arrives
 * once and in order, and the elements in flight (counted by a {@code doOnNext} just before the
 * subscriber view, minus those the downstream subscriber got) never exceed the capacity plus the
 * view's request batch ({@code max(1, min(capacity, 256) / 2)} = 8). Two smaller round trips check
 * interop: RxJava on both sides of a bounded and an unbounded channel, and the JDK Flow forms fed
 * by a {@link SubmissionPublisher}.
 */
@Timeout(120)
class MpscBackpressureEndToEndTest {
    private static final int N = 10_000_000;
    private static final int CAPACITY = 16;
    private static final int VIEW_BATCH = Math.max(1, Math.min(CAPACITY, 256) / 2);
    private static final int BOUND = CAPACITY + VIEW_BATCH;
    private static final int REQUEST = 32;

    /** Written by whichever thread runs the (serial) upstream signals. */
    private final AtomicLong sent = new AtomicLong();

    /** Written by whichever thread runs the (serial) downstream signals. */
    private final AtomicLong delivered = new AtomicLong();

    private final AtomicLong maxInFlight = new AtomicLong();

    private void observe(long inFlight) {
        if (inFlight > maxInFlight.get()) {
            maxInFlight.set(inFlight); // only raised; a lost race only under-reports the max
        }
    }

    /** Slow: it does not request from onNext but signals a requester thread every 32 elements. */
    private final class SlowSubscriber implements Subscriber<Integer> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Semaphore tickets = new Semaphore(0);
        volatile Subscription s;
        int expected = 1;
        volatile String problem;

        @Override
        public void onSubscribe(Subscription s) {
            this.s = s;
            tickets.release(2); // two batches outstanding, both requested by the requester
        }

        @Override
        public void onNext(Integer v) {
            if (v != expected && problem == null) {
                problem = "expected " + expected + " but got " + v;
            }
            expected++;
            long d = delivered.get() + 1;
            delivered.lazySet(d);
            long inFlight = sent.get() - d + 1; // this element counts until it is delivered
            observe(inFlight);
            if (inFlight > BOUND && problem == null) {
                problem = "in flight " + inFlight + " > " + BOUND + " at element " + v;
            }
            if (d % REQUEST == 0) {
                tickets.release();
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
            tickets.release();
        }

        @Override
        public void onComplete() {
            done.complete(null);
            tickets.release();
        }
    }

    @Test
    void tenMillionElementsArriveOnceInOrderWithinTheBound() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(CAPACITY);
        SlowSubscriber downstream = new SlowSubscriber();
        Scheduler producer = Schedulers.newSingle("e2e-producer");
        Thread requester =
                new Thread(
                        () -> {
                            try {
                                while (!downstream.done.isDone()) {
                                    downstream.tickets.acquire();
                                    if (!downstream.done.isDone()) {
                                        downstream.s.request(REQUEST);
                                    }
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "e2e-requester");
        requester.setDaemon(true);
        long start = System.nanoTime();
        try {
            ch.receiver().asPublisher().subscribe(downstream);
            requester.start();
            Flux.range(1, N)
                    .subscribeOn(producer) // requests, and so emissions, run on the producer
                    .doOnNext(
                            v -> {
                                long s = sent.get() + 1;
                                sent.lazySet(s);
                                long inFlight = s - delivered.get();
                                observe(inFlight);
                                if (inFlight > BOUND && downstream.problem == null) {
                                    downstream.problem =
                                            "in flight " + inFlight + " > " + BOUND + " at " + v;
                                }
                            })
                    .subscribe(ch.sender().asSubscriber());
            downstream.done.get(100, TimeUnit.SECONDS);
        } finally {
            producer.dispose();
            downstream.tickets.release();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        requester.join(10_000);
        System.out.println(
                "MpscBackpressureEndToEndTest: "
                        + N
                        + " elements in "
                        + millis
                        + " ms, max in flight "
                        + maxInFlight.get()
                        + " (bound "
                        + BOUND
                        + ")");
        assertEquals(null, downstream.problem);
        assertEquals(N, sent.get());
        assertEquals(N, delivered.get());
        assertEquals(N + 1, downstream.expected);
        assertTrue(maxInFlight.get() <= BOUND);
        assertEquals(CAPACITY, ch.receiver().capacity(), "every slot back");
        assertTrue(ch.receiver().isClosed());
    }

    /** RxJava on both sides (its StrictSubscriber checks the rules on the subscriber view). */
    @Test
    void rxJavaRoundTripThroughAnUnboundedAndABoundedChannel() {
        Mpsc.Channel<Integer> bounded = Mpsc.channel(4);
        Mpsc.UnboundedChannel<Integer> unbounded = Mpsc.unboundedChannel();
        Flowable.range(1, 100_000)
                .subscribeOn(io.reactivex.rxjava3.schedulers.Schedulers.computation())
                .subscribe(bounded.sender().asSubscriber());
        Flowable.fromPublisher(bounded.receiver().asPublisher())
                .observeOn(io.reactivex.rxjava3.schedulers.Schedulers.single(), false, 8)
                .subscribe(unbounded.sender().asSubscriber());
        List<Integer> got =
                Flowable.fromPublisher(unbounded.receiver().asPublisher()).toList().blockingGet();
        assertEquals(100_000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i + 1, got.get(i));
        }
        assertEquals(4, bounded.receiver().capacity());
    }

    /** The JDK Flow forms with a SubmissionPublisher upstream (small buffer, blocking offers). */
    @Test
    void flowRoundTripFromASubmissionPublisher() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.channel(8);
        List<Integer> got = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ch.receiver()
                .asFlowPublisher()
                .subscribe(
                        new Flow.Subscriber<Integer>() {
                            Flow.Subscription s;

                            @Override
                            public void onSubscribe(Flow.Subscription s) {
                                this.s = s;
                                s.request(3);
                            }

                            @Override
                            public void onNext(Integer item) {
                                got.add(item);
                                if (got.size() % 3 == 0) {
                                    s.request(3);
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                done.completeExceptionally(t);
                            }

                            @Override
                            public void onComplete() {
                                done.complete(null);
                            }
                        });
        try (SubmissionPublisher<Integer> upstream =
                new SubmissionPublisher<>(ForkJoinPool.commonPool(), 4)) {
            upstream.subscribe(ch.sender().asFlowSubscriber());
            for (int i = 0; i < 20_000; i++) {
                upstream.submit(i); // blocks while the channel (and its small buffer) is full
            }
        }
        done.get(30, TimeUnit.SECONDS);
        assertEquals(20_000, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertEquals(i, got.get(i));
        }
    }
}
