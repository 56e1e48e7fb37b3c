package dev.tributary.sync.tck;

import dev.tributary.sync.ClosedException;
import dev.tributary.sync.Mpsc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.SubscriberPuppet;

/** Sources, puppets and probe wrappers shared by the Mpsc view TCK classes. */
final class MpscTckSupport {

    /** The capacity of the bounded channels behind the publisher tests. */
    static final int CAPACITY = 8;

    /** Unbounded sources above this size are produced lazily, paced by the receiver. */
    private static final int EAGER_LIMIT = 1024;

    private MpscTckSupport() {}

    /**
     * A fresh bounded channel whose sender pumps {@code 0..n-1}, then closes. The pump uses async
     * sends (no thread): it continues from the completion of a send that had to wait, that is on
     * the thread whose delivery freed the slot, and it stops when the channel is closed (the
     * subscription was cancelled). An unread channel just keeps one pending send: nothing to end.
     */
    static Mpsc.Receiver<Long> boundedSource(long n) {
        Mpsc.Channel<Long> ch = Mpsc.channel(CAPACITY);
        new Pump(ch.sender(), n).run();
        return ch.receiver();
    }

    /**
     * A fresh unbounded channel holding {@code 0..n-1}, then closed. Up to {@value #EAGER_LIMIT}
     * elements are sent at once. Larger sources (only {@code Integer.MAX_VALUE}, in rule 3.17's
     * test) are produced by a daemon thread that keeps at most 16 queued and polls the queue length
     * every 0.1 ms while it is full: an unbounded channel has no backpressure to wait on. The
     * thread ends when the subscription closes the channel, or after 10 s without progress.
     */
    static Mpsc.UnboundedReceiver<Long> unboundedSource(long n) {
        Mpsc.UnboundedChannel<Long> ch = Mpsc.unboundedChannel();
        Mpsc.UnboundedSender<Long> tx = ch.sender();
        Mpsc.UnboundedReceiver<Long> rx = ch.receiver();
        if (n <= EAGER_LIMIT) {
            for (long i = 0; i < n; i++) {
                tx.send(i);
            }
            tx.close();
            return rx;
        }
        Thread t =
                new Thread(
                        () -> {
                            long idleSince = System.nanoTime();
                            try {
                                for (long i = 0; i < n; ) {
                                    if (rx.len() < 16) {
                                        tx.send(i++);
                                        idleSince = System.nanoTime();
                                    } else if (System.nanoTime() - idleSince
                                            > Duration.ofSeconds(10).toNanos()) {
                                        break;
                                    } else {
                                        LockSupport.parkNanos(100_000);
                                    }
                                }
                            } catch (ClosedException cancelled) {
                                // the subscription was cancelled: stop
                            } finally {
                                tx.close();
                            }
                        },
                        "mpsc-tck-unbounded-source");
        t.setDaemon(true);
        t.start();
        return rx;
    }

    /** A bounded channel closed with a cause: its publisher signals onSubscribe, then onError. */
    static Mpsc.Receiver<Long> failedBounded() {
        Mpsc.Channel<Long> ch = Mpsc.channel(CAPACITY);
        ch.sender()
                .closeChannel(new RuntimeException("closed with a cause (TCK failed publisher)"));
        return ch.receiver();
    }

    /** An unbounded channel closed with a cause. */
    static Mpsc.UnboundedReceiver<Long> failedUnbounded() {
        Mpsc.UnboundedChannel<Long> ch = Mpsc.unboundedChannel();
        ch.sender()
                .closeChannel(new RuntimeException("closed with a cause (TCK failed publisher)"));
        return ch.receiver();
    }

    /** Sends 0..n-1 with async sends, then closes the handle. */
    private static final class Pump implements BiConsumer<Void, Throwable> {
        private final Mpsc.Sender<Long> tx;
        private final long n;
        private long i;

        Pump(Mpsc.Sender<Long> tx, long n) {
            this.tx = tx;
            this.n = n;
        }

        void run() {
            for (; ; ) {
                if (i == n) {
                    tx.close();
                    return;
                }
                CompletableFuture<Void> f = tx.send(i++);
                if (!f.isDone()) {
                    f.whenComplete(this);
                    return;
                }
                if (f.isCompletedExceptionally()) {
                    tx.close(); // closed: cancelled
                    return;
                }
            }
        }

        @Override
        public void accept(Void v, Throwable ex) {
            if (ex != null) {
                tx.close();
            } else {
                run();
            }
        }
    }

    /**
     * The puppet of a bounded subscriber view. The view's demand is the channel's free capacity, so
     * the test starts with every slot held by the test ({@code tryReserveMany}) and {@code
     * triggerRequest(n)} frees n slots: first by closing held permits, then by receiving queued
     * messages. {@code signalCancel} closes the receiver, the one way to make the view cancel.
     */
    static SubscriberPuppet boundedPuppet(
            Mpsc.PermitIterator<Integer> held, Mpsc.Receiver<Integer> rx) {
        return new SubscriberPuppet() {
            @Override
            public void triggerRequest(long elements) {
                for (long i = 0; i < elements; i++) {
                    if (held.hasNext()) {
                        held.next().close();
                    } else {
                        try {
                            rx.tryRecv();
                        } catch (ClosedException ended) {
                            return;
                        }
                    }
                }
            }

            @Override
            public void signalCancel() {
                rx.close();
            }
        };
    }

    /**
     * The puppet of an unbounded subscriber view: it requested {@code Long.MAX_VALUE} in {@code
     * onSubscribe}, so there is no more demand to trigger; {@code signalCancel} closes the
     * receiver.
     */
    static SubscriberPuppet unboundedPuppet(Mpsc.UnboundedReceiver<Integer> rx) {
        return new SubscriberPuppet() {
            @Override
            public void triggerRequest(long elements) {
                // Demand is already unbounded.
            }

            @Override
            public void signalCancel() {
                rx.close();
            }
        };
    }
}
