package dev.tributary.sync;

import dev.tributary.sync.internal.Waiter;
import java.util.concurrent.CompletableFuture;

/**
 * The pending receive of a {@link Oneshot} channel: a future (async, {@link
 * Oneshot.Receiver#recv()}) or a parked thread (blocking, {@link Oneshot.Receiver#blockingRecv()}).
 * The channel's state keeps at most one, in {@code OneshotCore.rxWaiter}; the cancel contract that
 * {@link #resolve(Object)} serves is in OneshotCore's implementation overview.
 *
 * @param <T> the type of the value
 */
final class OneshotRecvWaiter<T> extends Waiter<T> {
    // How a claimed async waiter's delivery ended (resolve()).
    static final int IN_FLIGHT = 0;
    static final int DELIVERED = 1;
    static final int RETURNED = 2;

    private final OneshotCore<T> core;
    final boolean blocking;

    OneshotRecvWaiter(OneshotCore<T> core, boolean blocking) {
        super(blocking);
        this.core = core;
        this.blocking = blocking;
    }

    /**
     * For a claimed async waiter holding {@code v} (or one being withdrawn): has the delivery
     * ended, and how? A pending blocking receive is in flight until its thread returns.
     */
    int resolve(Object v) {
        if (blocking) {
            return IN_FLIGHT;
        }
        CompletableFuture<T> f = future();
        if (!f.isDone()) {
            return IN_FLIGHT; // pending, being delivered, or being withdrawn
        }
        if (!f.isCompletedExceptionally() && f.getNow(null) == v) {
            return DELIVERED;
        }
        return RETURNED;
    }

    @Override
    protected void undelivered(T v) {
        core.settleAll(); // an outside completion won: the value stays in the channel
    }

    @Override
    protected void withdraw() {
        core.withdraw(this);
    }
}
