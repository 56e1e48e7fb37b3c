package dev.tributary.sync;

import dev.tributary.sync.internal.UpstreamSubscriber;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscription;

/**
 * The Reactive Streams view of a {@link Oneshot.Sender}: {@link Oneshot.Sender#asSubscriber()}.
 * Requests one element; the first {@code onNext} sends it and cancels upstream (a oneshot carries
 * one value); {@code onComplete} without a value closes the sender; {@code onError(e)} closes the
 * channel with {@code e}; a receiver that closes cancels upstream.
 *
 * <p>Implementation overview: the upstream signals are serialized by the Reactive Streams rules, so
 * {@code done} is a plain field touched only by them. The receiver-closed wait is a {@link
 * Oneshot.Sender#closed()} future registered in {@code subscribed}; its completion cancels upstream
 * from whichever thread closed the receiver ({@link #cancelUpstream()} is safe from any thread). A
 * terminal signal withdraws that future so that the channel drops this subscriber.
 *
 * @param <T> the type of the value
 */
final class OneshotSubscriber<T> extends UpstreamSubscriber<T> {

    private final Oneshot.Sender<T> sender;

    /** Set by the first onNext/onError/onComplete; upstream signals only (serialized). */
    private boolean done;

    /** The receiver-closed wait; volatile because a terminal signal withdraws it. */
    private volatile CompletableFuture<Void> closedWait;

    OneshotSubscriber(Oneshot.Sender<T> sender) {
        this.sender = sender;
    }

    @Override
    protected void subscribed(Subscription s) {
        CompletableFuture<Void> w = sender.closed();
        closedWait = w;
        w.thenRun(this::cancelUpstream); // runs at once if the receiver is already closed
        requestUpstream(1);
    }

    @Override
    protected void next(T item) {
        if (done) {
            return; // more than requested, or after our cancel: ignored (a oneshot takes one)
        }
        done = true;
        try {
            sender.send(item);
        } catch (IllegalStateException e) { // ClosedException too
            // The receiver was closed (the value is dropped, as a send to a closed oneshot is), or
            // this sender handle was used elsewhere: either way there is nothing more to do.
        }
        cancelUpstream(); // a oneshot takes one value
        withdrawClosedWait();
    }

    @Override
    protected void failed(Throwable error) {
        if (done) {
            return;
        }
        done = true;
        sender.closeChannel(error); // false if the receiver closed or the handle was used: fine
        withdrawClosedWait();
    }

    @Override
    protected void completed() {
        if (done) {
            return;
        }
        done = true;
        sender.close(); // no value: the receiver sees the channel closed and empty
        withdrawClosedWait();
    }

    private void withdrawClosedWait() {
        CompletableFuture<Void> w = closedWait;
        if (w != null) {
            closedWait = null;
            w.cancel(false); // withdraws the closed() waiter (no-op if it completed)
        }
    }

    @Override
    public String toString() {
        return "Oneshot.Sender.asSubscriber()" + sender.core.describe();
    }
}
