package dev.tributary.sync.rxjava3;

import dev.tributary.sync.Mpsc;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.CompletableObserver;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

/**
 * {@link RxChannels#sendAll(Mpsc.Sender, Publisher)}: sends every element of a source into a
 * bounded channel, requesting one element at a time and the next only once the previous one is in
 * the channel.
 *
 * @param <T> the element type
 */
final class SendAll<T> extends Completable {

    /*
     * Implementation overview
     *
     * Demand is 1: request(1) on subscribe, and again each time an element is in the channel.
     * An element is first offered with trySend (no allocation; it fails while another sender
     * waits, so FIFO fairness among producers holds); if the channel is full, send(v) queues in
     * the channel's FIFO of waiting senders and its future's completion requests the next one.
     *
     * At most one send is outstanding (busy == 1). The source may complete while it is: then
     * whoever comes second of "send done" and "upstream done" completes the observer; both are
     * volatile writes followed by a read of the other flag, so one of them sees both. `terminal`
     * (0 -> 1) makes the terminal signal or the disposal happen once; a failure that loses it goes
     * to RxJavaPlugins.onError.
     */

    private final Mpsc.Sender<T> sender;
    private final Publisher<? extends T> source;

    SendAll(Mpsc.Sender<T> sender, Publisher<? extends T> source) {
        this.sender = sender;
        this.source = source;
    }

    @Override
    protected void subscribeActual(CompletableObserver observer) {
        SendAllSubscriber<T> s = new SendAllSubscriber<>(observer, sender);
        observer.onSubscribe(s);
        if (!s.isDisposed()) {
            source.subscribe(s);
        }
    }

    private static final class SendAllSubscriber<T> implements FlowableSubscriber<T>, Disposable {
        private final CompletableObserver downstream;
        private final Mpsc.Sender<T> sender;

        private final AtomicReference<Subscription> upstream = new AtomicReference<>();
        private final AtomicInteger terminal = new AtomicInteger();
        private volatile boolean upstreamDone;
        private volatile int busy;
        private volatile CompletableFuture<Void> pending;

        SendAllSubscriber(CompletableObserver downstream, Mpsc.Sender<T> sender) {
            this.downstream = downstream;
            this.sender = sender;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (!upstream.compareAndSet(null, s)) {
                s.cancel(); // rule 2.5; or disposed before the source called onSubscribe
                if (upstream.get() != CancelledSubscription.INSTANCE) {
                    RxJavaPlugins.onError(
                            new IllegalStateException("onSubscribe called twice (rule 2.5)"));
                }
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(T value) {
            if (terminal.get() != 0) {
                return; // after a cancel: allowed (rule 1.8)
            }
            busy = 1;
            CompletableFuture<Void> f;
            try {
                if (sender.trySend(value)) {
                    sendDone();
                    return;
                }
                f = sender.send(value);
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                cancelUpstream();
                fail(t);
                return;
            }
            pending = f;
            if (terminal.get() != 0) {
                f.cancel(false); // disposed meanwhile
            }
            f.whenComplete(
                    (v, e) -> {
                        pending = null;
                        if (e == null) {
                            sendDone();
                        } else {
                            Throwable err = FutureAdapters.unwrap(e);
                            if (!(err instanceof CancellationException)) {
                                cancelUpstream();
                                fail(err);
                            }
                        }
                    });
        }

        private void sendDone() {
            busy = 0;
            if (upstreamDone) {
                complete();
            } else {
                Subscription s = upstream.get();
                if (s != CancelledSubscription.INSTANCE) {
                    s.request(1);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            fail(t);
        }

        @Override
        public void onComplete() {
            upstreamDone = true;
            if (busy == 0) {
                complete();
            }
        }

        private void complete() {
            if (terminal.compareAndSet(0, 1)) {
                upstream.lazySet(CancelledSubscription.INSTANCE);
                downstream.onComplete();
            }
        }

        private void fail(Throwable t) {
            if (terminal.compareAndSet(0, 1)) {
                upstream.lazySet(CancelledSubscription.INSTANCE);
                downstream.onError(t);
            } else {
                RxJavaPlugins.onError(t);
            }
        }

        private void cancelUpstream() {
            Subscription s = upstream.getAndSet(CancelledSubscription.INSTANCE);
            if (s != null && s != CancelledSubscription.INSTANCE) {
                s.cancel();
            }
        }

        @Override
        public void dispose() {
            if (terminal.compareAndSet(0, 2)) {
                cancelUpstream();
                CompletableFuture<Void> f = pending;
                if (f != null) {
                    f.cancel(false); // either sent already, or never sent
                }
            }
        }

        @Override
        public boolean isDisposed() {
            return terminal.get() == 2;
        }
    }

    /** The tombstone of a cancelled (or finished) upstream. */
    enum CancelledSubscription implements Subscription {
        INSTANCE;

        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
    }
}
