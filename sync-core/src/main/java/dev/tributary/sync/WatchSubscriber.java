package dev.tributary.sync;

import dev.tributary.sync.internal.UpstreamSubscriber;
import org.reactivestreams.Subscription;

/**
 * The Reactive Streams view of a {@link Watch.Sender}: {@link Watch.Sender#asSubscriber()}.
 * Requests {@code Long.MAX_VALUE} (stores never wait); each {@code onNext} stores the element with
 * {@link Watch.Sender#sendReplace(Object)}, so it is stored even while no receiver exists; {@code
 * onComplete} closes this sender handle; {@code onError(e)} closes the channel with {@code e}.
 *
 * <p>Implementation overview: the upstream signals are serialized by the Reactive Streams rules, so
 * {@code done} is a plain field touched only by them. A store that fails because the handle was
 * closed by its owner, or the channel by {@code closeChannel} through another handle, cancels
 * upstream: nothing can be stored any more.
 *
 * @param <T> the type of the values
 */
final class WatchSubscriber<T> extends UpstreamSubscriber<T> {

    private final Watch.Sender<T> sender;

    /** Set once nothing more is stored; upstream signals only (serialized). */
    private boolean done;

    WatchSubscriber(Watch.Sender<T> sender) {
        this.sender = sender;
    }

    @Override
    protected void subscribed(Subscription s) {
        requestUpstream(Long.MAX_VALUE);
    }

    @Override
    protected void next(T item) {
        if (done) {
            return;
        }
        try {
            sender.sendReplace(item);
        } catch (IllegalStateException e) { // ClosedException too
            // The channel was closed through another handle, or this handle was closed (or
            // called from inside a modify function of the channel): stop taking values, and
            // release the handle, which the view owns (upstream may never terminate now).
            done = true;
            cancelUpstream();
            completed();
        }
    }

    @Override
    protected void failed(Throwable error) {
        done = true;
        try {
            sender.closeChannel(error); // false if already closed: the earlier cause stays
        } catch (IllegalStateException e) {
            // This handle was closed by its owner meanwhile: nothing left to close.
        }
    }

    @Override
    protected void completed() {
        done = true;
        try { // idempotent
            sender.close();
        } catch (IllegalStateException e) {
            // Called from inside a modify function of this channel: the handle stays open.
        }
    }

    @Override
    public String toString() {
        return sender + ".asSubscriber()";
    }
}
