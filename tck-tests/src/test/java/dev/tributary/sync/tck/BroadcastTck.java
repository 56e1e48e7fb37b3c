package dev.tributary.sync.tck;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.ClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Hot-publisher plumbing for the broadcast TCK classes. The TCK wants {@code createPublisher(n)} to
 * emit exactly n elements and complete, but a broadcast channel is hot: a value sent before a
 * receiver exists is not seen, and a receiver that falls more than the capacity behind lags (an
 * {@code onError} under {@code LagPolicy.ERROR}, lost elements under {@code SKIP}). So each
 * publisher gets a fresh channel and a {@link Driver} thread that sends 0, 1, ... n-1 and then
 * closes the channel, with two guarantees:
 *
 * <ul>
 *   <li>it starts only when some subscriber first requests (for the sender view) — by then every
 *       subscriber the TCK created in that test is subscribed, so the multicast tests (three
 *       subscribers, same sequence) see every element;
 *   <li>it never overruns a subscriber: it sends only while {@code Sender.len()} (the most any
 *       receiver has unread) is below the capacity, so no receiver can lag. The capacity is n up to
 *       1024, so for the small n of most tests it never waits; only the {@code
 *       Integer.MAX_VALUE}/{@code Long.MAX_VALUE} tests are paced.
 * </ul>
 *
 * Nothing here changes what the view signals: the wrapper that detects the first request forwards
 * every signal and call unchanged (and {@code subscribe(null)} reaches the view itself). Every
 * driver is stopped after each test method ({@link #stopAll()}), so no thread outlives its test.
 */
final class BroadcastTck {

    /** The largest channel capacity used; larger n are paced by the driver. */
    static final int MAX_CAPACITY = 1024;

    private final List<Driver> drivers = new ArrayList<>();

    /** The capacity for a publisher of n elements: n, at least 1, at most {@link #MAX_CAPACITY}. */
    static int capacityFor(long n) {
        return (int) Math.max(1, Math.min(n, MAX_CAPACITY));
    }

    /**
     * A publisher of exactly {@code n} elements (0 .. n-1, as Integer, wrapping for n past
     * Integer.MAX_VALUE) through {@code view} of a fresh channel, sent once a subscriber first
     * requests.
     */
    Publisher<Integer> startingOnFirstRequest(
            long n, Function<Broadcast.Sender<Integer>, Publisher<Integer>> view) {
        Broadcast.Sender<Integer> tx = Broadcast.sender(capacityFor(n));
        Publisher<Integer> p = view.apply(tx);
        Driver d = driver(tx, n);
        if (n == 0) {
            d.start(); // closes the channel: every subscriber completes at once
        }
        return s -> {
            if (s == null) {
                p.subscribe(null); // rule 1.9 is the view's to enforce
                return;
            }
            p.subscribe(new StartOnFirstRequest<>(s, d));
        };
    }

    /** The JDK Flow form of {@link #startingOnFirstRequest}. */
    Flow.Publisher<Integer> flowStartingOnFirstRequest(
            long n, Function<Broadcast.Sender<Integer>, Flow.Publisher<Integer>> view) {
        Broadcast.Sender<Integer> tx = Broadcast.sender(capacityFor(n));
        Flow.Publisher<Integer> p = view.apply(tx);
        Driver d = driver(tx, n);
        if (n == 0) {
            d.start(); // closes the channel: every subscriber completes at once
        }
        return s -> {
            if (s == null) {
                p.subscribe(null);
                return;
            }
            p.subscribe(new FlowStartOnFirstRequest<>(s, d));
        };
    }

    /**
     * A driver for {@code n} elements on a channel created now, started at once (for the receiver
     * view: its receiver exists from the start, so values sent before subscribe are retained for
     * it, paced so that none is overwritten).
     */
    Broadcast.Channel<Integer> startedChannel(long n) {
        Broadcast.Channel<Integer> ch = Broadcast.channel(capacityFor(n));
        driver(ch.sender(), n).start();
        return ch;
    }

    private synchronized Driver driver(Broadcast.Sender<Integer> tx, long n) {
        Driver d = new Driver(tx, n);
        drivers.add(d);
        return d;
    }

    /** Stops every driver of the test that just ended; call from an {@code @AfterMethod}. */
    synchronized void stopAll() {
        for (Driver d : drivers) {
            d.stop();
        }
        drivers.clear();
    }

    /** Sends 0 .. n-1 through its own sender handle, paced by the slowest receiver, then closes. */
    static final class Driver implements Runnable {
        private final Broadcast.Sender<Integer> tx;
        private final long n;
        private final int capacity;
        private final AtomicBoolean started = new AtomicBoolean();
        private volatile boolean stopped;

        Driver(Broadcast.Sender<Integer> tx, long n) {
            this.tx = tx;
            this.n = n;
            this.capacity = capacityFor(n);
        }

        void start() {
            if (started.compareAndSet(false, true)) {
                if (n == 0) {
                    tx.close();
                    return;
                }
                Thread t = new Thread(this, "broadcast-tck-driver");
                t.setDaemon(true);
                t.start();
            }
        }

        void stop() {
            stopped = true;
            if (started.compareAndSet(false, true)) {
                tx.close(); // never started: nothing else owns the handle
            }
        }

        @Override
        public void run() {
            try {
                for (long i = 0; i < n; i++) {
                    for (int spins = 0; tx.len() >= capacity; spins++) {
                        if (stopped) {
                            return;
                        }
                        if (spins < 100) {
                            Thread.onSpinWait();
                        } else if (spins < 200) {
                            Thread.yield();
                        } else {
                            LockSupport.parkNanos(20_000); // a subscriber without demand
                        }
                    }
                    if (stopped) {
                        return;
                    }
                    tx.send((int) i);
                }
            } catch (ClosedException noReceiverLeft) {
                return; // every subscriber cancelled
            } finally {
                tx.close();
            }
        }
    }

    /** Forwards everything; starts the driver on the first request. */
    private static final class StartOnFirstRequest<T> implements Subscriber<T> {
        private final Subscriber<? super T> actual;
        private final Driver driver;

        StartOnFirstRequest(Subscriber<? super T> actual, Driver driver) {
            this.actual = actual;
            this.driver = driver;
        }

        @Override
        public void onSubscribe(Subscription s) {
            actual.onSubscribe(
                    new Subscription() {
                        @Override
                        public void request(long n) {
                            s.request(n);
                            driver.start();
                        }

                        @Override
                        public void cancel() {
                            s.cancel();
                        }
                    });
        }

        @Override
        public void onNext(T t) {
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }

    /** The Flow form of {@link StartOnFirstRequest}. */
    private static final class FlowStartOnFirstRequest<T> implements Flow.Subscriber<T> {
        private final Flow.Subscriber<? super T> actual;
        private final Driver driver;

        FlowStartOnFirstRequest(Flow.Subscriber<? super T> actual, Driver driver) {
            this.actual = actual;
            this.driver = driver;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            actual.onSubscribe(
                    new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                            s.request(n);
                            driver.start();
                        }

                        @Override
                        public void cancel() {
                            s.cancel();
                        }
                    });
        }

        @Override
        public void onNext(T t) {
            actual.onNext(t);
        }

        @Override
        public void onError(Throwable t) {
            actual.onError(t);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }
}
