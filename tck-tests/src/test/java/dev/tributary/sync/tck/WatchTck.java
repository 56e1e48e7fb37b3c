package dev.tributary.sync.tck;

import dev.tributary.sync.Watch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * TCK support for the Watch and Oneshot views: a paced driver for the watch publishers (the
 * whitebox probe wrapper is {@link Tck#probed}).
 *
 * <p><b>Why a paced driver.</b> A watch is conflated: a subscriber that has no demand when a value
 * is stored sees only the newest one when it requests again. The TCK counts elements exactly, so a
 * producer that stores n values as fast as it can would make subscribers miss some. The driver
 * therefore stores value k only after every live subscription has been handed value k-1, then
 * closes its sender once they all have the last one. It learns about deliveries through a {@link
 * Tap}: a pass-through subscriber put between the view and the TCK's subscriber that forwards every
 * signal unchanged, the view's own subscription included (wrapped only to notice {@code cancel}).
 * The tap is not a stage of its own: it adds no buffering, demand or threads, so the rules are
 * checked against the view itself. It holds no strong reference from the driver to the TCK's
 * subscriber (the driver keeps only a {@link Slot}), so rule 3.13's GC check still sees whether the
 * view dropped the subscriber.
 *
 * <p>The driver thread starts at the first subscribe (a publisher nobody subscribes to starts
 * nothing) and ends when every subscription it knows of has ended (cancelled or terminated), when
 * it has stored and had delivered all values, or when {@link Drivers#stopAll()} runs after each
 * test method. It is a daemon thread.
 */
final class WatchTck {

    private WatchTck() {}

    /** The drivers created by one verification instance; stopped after each test method. */
    static final class Drivers {
        private final List<Driver> drivers = new ArrayList<>();

        synchronized Driver add(Driver d) {
            drivers.add(d);
            return d;
        }

        synchronized void stopAll() {
            for (Driver d : drivers) {
                d.stop();
            }
            drivers.clear();
        }
    }

    /** One live subscription as the driver sees it. */
    static final class Slot {
        long delivered = -1; // the last value handed to onNext; guarded by the driver's lock
        boolean ended;
    }

    /**
     * Stores 1..n-1 through {@code tx} (the channel starts with 0), each after every live
     * subscription was handed the previous one, then closes {@code tx}. {@code n == Long.MAX_VALUE}
     * never closes: it runs until stopped or every subscription ended.
     */
    static final class Driver implements Runnable {
        private final Watch.Sender<Long> tx;
        private final long n;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition progress = lock.newCondition();
        private final List<Slot> slots = new ArrayList<>();
        private boolean started;
        private boolean stopped;

        Driver(Watch.Sender<Long> tx, long n) {
            this.tx = tx;
            this.n = n;
        }

        Slot register() {
            lock.lock();
            try {
                Slot s = new Slot();
                slots.add(s);
                if (!started && !stopped) {
                    started = true;
                    Thread t = new Thread(this, "watch-tck-driver");
                    t.setDaemon(true);
                    t.start();
                }
                progress.signalAll();
                return s;
            } finally {
                lock.unlock();
            }
        }

        void delivered(Slot s, long v) {
            lock.lock();
            try {
                s.delivered = v;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void ended(Slot s) {
            lock.lock();
            try {
                s.ended = true;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void stop() {
            lock.lock();
            try {
                stopped = true;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
            closeQuietly();
        }

        @Override
        public void run() {
            try {
                long last = n == 0 ? 0 : n - 1; // n == 0 cannot be empty: see the TCK classes
                for (long k = 1; k <= last; k++) {
                    if (!awaitAllDelivered(k - 1)) {
                        return;
                    }
                    tx.sendReplace(k);
                }
                awaitAllDelivered(last);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly();
            }
        }

        /** Waits until every live slot has {@code v}; false if stopped or none is live. */
        private boolean awaitAllDelivered(long v) throws InterruptedException {
            lock.lock();
            try {
                for (; ; ) {
                    if (stopped) {
                        return false;
                    }
                    boolean anyLive = false;
                    boolean all = true;
                    for (Slot s : slots) {
                        if (!s.ended) {
                            anyLive = true;
                            all &= s.delivered >= v;
                        }
                    }
                    if (!anyLive) {
                        return false;
                    }
                    if (all) {
                        return true;
                    }
                    progress.await(1, TimeUnit.SECONDS);
                }
            } finally {
                lock.unlock();
            }
        }

        private void closeQuietly() {
            try {
                tx.close();
            } catch (RuntimeException ignored) {
                // idempotent close; nothing else can fail here
            }
        }
    }

    /** A publisher that puts a {@link Tap} in front of each subscriber of {@code view}. */
    static Publisher<Long> tapped(Publisher<Long> view, Driver driver) {
        return new Publisher<>() {
            @Override
            public void subscribe(Subscriber<? super Long> s) {
                if (s == null) {
                    view.subscribe(null); // rule 1.9 is the view's to enforce
                    return;
                }
                view.subscribe(new Tap(s, driver, driver.register()));
            }

            @Override
            public String toString() {
                return view.toString();
            }
        };
    }

    /** Pass-through subscriber: forwards every signal, tells the driver what was delivered. */
    static final class Tap implements Subscriber<Long>, Subscription {
        private final Subscriber<? super Long> down;
        private final Driver driver;
        private final Slot slot;
        private volatile Subscription up;

        Tap(Subscriber<? super Long> down, Driver driver, Slot slot) {
            this.down = down;
            this.driver = driver;
            this.slot = slot;
        }

        @Override
        public void onSubscribe(Subscription s) {
            up = s;
            down.onSubscribe(this);
        }

        @Override
        public void onNext(Long v) {
            down.onNext(v);
            driver.delivered(slot, v);
        }

        @Override
        public void onError(Throwable t) {
            driver.ended(slot);
            down.onError(t);
        }

        @Override
        public void onComplete() {
            driver.ended(slot);
            down.onComplete();
        }

        @Override
        public void request(long n) {
            up.request(n);
        }

        @Override
        public void cancel() {
            driver.ended(slot);
            up.cancel();
        }
    }

    /**
     * The Flow form of {@link #tapped}: the same tap, through {@link FlowAdapters} (the Flow view
     * itself is {@code FlowAdapters.toFlowPublisher(asPublisher())}).
     */
    static Flow.Publisher<Long> tappedFlow(Flow.Publisher<Long> view, Driver driver) {
        return FlowAdapters.toFlowPublisher(tapped(FlowAdapters.toPublisher(view), driver));
    }
}
