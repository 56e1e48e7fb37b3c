package dev.tributary.sync.rxjava3;

import dev.tributary.sync.Oneshot;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.MaybeObserver;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * {@link RxChannels#maybe(Oneshot.Receiver)}: a Maybe over the receiver's publisher view that hands
 * the value to {@code onSuccess} in the same step as the view's {@code onNext}. (Composing {@code
 * Flowable.fromPublisher(view).singleElement()} would hold the value until the view's {@code
 * onComplete}, and a disposal in between would drop a value that has already left the channel.)
 *
 * @param <T> the value type
 */
final class OneshotMaybe<T> extends Maybe<T> {

    private final Oneshot.Receiver<T> receiver;

    OneshotMaybe(Oneshot.Receiver<T> receiver) {
        this.receiver = receiver;
    }

    @Override
    protected void subscribeActual(MaybeObserver<? super T> observer) {
        ViewObserver<T> parent = new ViewObserver<>(observer);
        observer.onSubscribe(parent);
        if (!parent.isDisposed()) {
            receiver.asPublisher().subscribe(parent);
        }
    }

    private static final class ViewObserver<T> implements Subscriber<T>, Disposable {
        private final MaybeObserver<? super T> downstream;
        private final AtomicReference<Subscription> upstream = new AtomicReference<>();
        private volatile boolean disposed;
        private boolean done;

        ViewObserver(MaybeObserver<? super T> downstream) {
            this.downstream = downstream;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (!upstream.compareAndSet(null, s)) {
                s.cancel(); // disposed before the view subscribed
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(T value) {
            if (done) {
                return;
            }
            done = true;
            // Even if a disposal is under way: the value has left the channel, so hand it over.
            downstream.onSuccess(value);
        }

        @Override
        public void onError(Throwable t) {
            if (done || disposed) {
                RxJavaPlugins.onError(t);
                return;
            }
            done = true;
            downstream.onError(t);
        }

        @Override
        public void onComplete() {
            if (done || disposed) {
                return;
            }
            done = true;
            downstream.onComplete();
        }

        @Override
        public void dispose() {
            if (disposed) {
                return;
            }
            disposed = true;
            Subscription s = upstream.getAndSet(SendAll.CancelledSubscription.INSTANCE);
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }
}
