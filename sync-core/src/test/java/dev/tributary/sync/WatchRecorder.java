package dev.tributary.sync;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * A recording subscriber for the Oneshot and Watch view tests: keeps every signal, the thread of
 * each {@code onNext}, and flags protocol violations (signals before {@code onSubscribe}, after a
 * terminal signal, or overlapping).
 */
class WatchRecorder<T> implements Subscriber<T> {
    final List<T> values = Collections.synchronizedList(new ArrayList<>());
    final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
    final List<String> violations = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);
    final CountDownLatch subscribed = new CountDownLatch(1);
    private final AtomicInteger inSignal = new AtomicInteger();
    private final long initialRequest;
    volatile Subscription subscription;
    volatile Throwable error;
    volatile boolean completed;
    volatile int onSubscribeCalls;

    WatchRecorder(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    WatchRecorder() {
        this(0);
    }

    private void enter(String signal) {
        if (inSignal.getAndIncrement() != 0) {
            violations.add("overlapping " + signal);
        }
        if (subscription == null && !"onSubscribe".equals(signal)) {
            violations.add(signal + " before onSubscribe");
        }
        if (done.getCount() == 0) {
            violations.add(signal + " after a terminal signal");
        }
    }

    private void leave() {
        inSignal.decrementAndGet();
    }

    @Override
    public void onSubscribe(Subscription s) {
        enter("onSubscribe");
        onSubscribeCalls++;
        subscription = s;
        subscribed.countDown();
        leave();
        if (initialRequest > 0) {
            s.request(initialRequest);
        }
    }

    @Override
    public void onNext(T t) {
        enter("onNext");
        values.add(t);
        threads.add(Thread.currentThread());
        leave();
    }

    @Override
    public void onError(Throwable t) {
        enter("onError");
        error = t;
        leave();
        done.countDown();
    }

    @Override
    public void onComplete() {
        enter("onComplete");
        completed = true;
        leave();
        done.countDown();
    }

    void request(long n) {
        subscription.request(n);
    }

    void cancel() {
        subscription.cancel();
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    /** Waits for a terminal signal; fails the test after 10 s. */
    WatchRecorder<T> awaitDone() throws InterruptedException {
        if (!done.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no terminal signal within 10 s; values " + values);
        }
        return this;
    }

    /** Throws if the protocol was broken. */
    void assertNoViolations() {
        if (!violations.isEmpty()) {
            throw new AssertionError("protocol violations: " + violations);
        }
    }
}
