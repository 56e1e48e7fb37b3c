package dev.tributary.sync;

import dev.tributary.sync.internal.Waiter;

/**
 * A pending {@link Oneshot.Sender#closed()}: one entry of the Treiber stack {@code
 * OneshotCore.closedWaiters}, which {@link Oneshot.Receiver#close()} swaps for {@link
 * #RECEIVER_CLOSED} and fires oldest first.
 */
final class OneshotClosedWaiter extends Waiter<Void> {
    /** The closedWaiters sentinel: the receiver closed, so closed() completes at once. */
    static final OneshotClosedWaiter RECEIVER_CLOSED = new OneshotClosedWaiter(null);

    private final OneshotCore<?> core;

    /** The next waiter down the stack; plain, published by the CAS that pushes this one. */
    OneshotClosedWaiter below;

    OneshotClosedWaiter(OneshotCore<?> core) {
        super(false);
        this.core = core;
    }

    @Override
    protected void undelivered(Void v) {
        // Nothing to give back: closing is a state, not a value.
    }

    @Override
    protected void withdraw() {
        core.purgeClosedWaiters();
    }
}
