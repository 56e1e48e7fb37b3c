package dev.tributary.sync;

import dev.tributary.sync.internal.UpstreamSubscriber;
import org.reactivestreams.Subscription;

/**
 * The subscriber view of a {@link Broadcast.Sender} ({@link Broadcast.Sender#asSubscriber()}):
 * unbounded demand, each element sent through the handle it took over. Sends never wait, so there
 * is nothing to pace; an element sent while the channel has no receiver is dropped (send fails,
 * nothing is retained), and once the channel is closed upstream is cancelled.
 *
 * @param <T> the element type
 */
final class BroadcastSubscriber<T> extends UpstreamSubscriber<T> {

    private final Broadcast.Sender<T> sender;

    BroadcastSubscriber(Broadcast.Sender<T> sender) {
        this.sender = sender;
    }

    @Override
    protected void subscribed(Subscription s) {
        requestUpstream(Long.MAX_VALUE);
    }

    @Override
    protected void next(T item) {
        if (isUpstreamCancelled()) {
            return; // rule 2.8: elements may still arrive after cancel
        }
        try {
            sender.send(item);
        } catch (ClosedException e) {
            if (sender.isChannelClosed()) {
                cancelUpstream(); // nobody can ever receive again
            }
            // else: no receiver right now; dropped, as send documents; one may subscribe later
        } catch (IllegalStateException handleClosed) {
            cancelUpstream(); // the user closed the handle this view took over
        }
    }

    @Override
    protected void failed(Throwable error) {
        try {
            sender.closeChannel(error);
        } catch (IllegalStateException handleClosed) {
            // the handle was closed already: it has nothing left to close
        }
    }

    @Override
    protected void completed() {
        sender.close();
    }
}
