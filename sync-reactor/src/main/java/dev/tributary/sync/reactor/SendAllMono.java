package dev.tributary.sync.reactor;

import dev.tributary.sync.Mpsc;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.BiConsumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * {@link ReactorChannels#sendAll(Mpsc.Sender, Publisher)}: subscribes to the source and sends its
 * elements into a bounded mpsc channel one at a time, requesting the next element only when the
 * previous one is in the channel. So the source is asked for at most one element beyond what the
 * channel holds, and nothing is buffered here.
 */
/*
 * Implementation overview: at most one send is in flight. The state word has two bits:
 *
 *   SENDING        a send future is pending (set in onNext, cleared by its completion)
 *   UPSTREAM_DONE  the source completed (or failed: `error` is set before the bit)
 *
 * plus TERMINATED once the downstream got its signal or cancelled. onNext only runs while SENDING is
 * clear (one element per request, and the next request is made after the send completed), but
 * the source's onComplete/onError can race with a send's completion on another thread: whoever
 * finds the other bit set when it sets or clears its own finishes the Mono. A send that completes
 * at once continues in the same onNext by requesting the next element; Reactive Streams sources
 * answer a request made inside onNext without recursion (rule 3.3), so this keeps a flat stack.
 */
final class SendAllMono<T> extends Mono<Void> {

    private final Mpsc.Sender<T> sender;
    private final Publisher<? extends T> source;

    private SendAllMono(Mpsc.Sender<T> sender, Publisher<? extends T> source) {
        this.sender = sender;
        this.source = source;
    }

    static <T> Mono<Void> of(Mpsc.Sender<T> sender, Publisher<? extends T> source) {
        return Mono.onAssembly(new SendAllMono<>(sender, source));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        source.subscribe(new SendAllSubscriber<T>(actual, sender));
    }

    static final class SendAllSubscriber<T>
            implements CoreSubscriber<T>, Subscription, BiConsumer<Void, Throwable> {
        static final int SENDING = 1;
        static final int UPSTREAM_DONE = 2;
        static final int TERMINATED = 4;

        final CoreSubscriber<? super Void> actual;
        final Mpsc.Sender<T> sender;

        Subscription s;

        /** The source's error; written before UPSTREAM_DONE is set, read after it is seen. */
        Throwable error;

        /** The send in flight, for cancel. */
        volatile CompletableFuture<Void> pending;

        volatile int state;

        @SuppressWarnings("rawtypes")
        static final AtomicIntegerFieldUpdater<SendAllSubscriber> STATE =
                AtomicIntegerFieldUpdater.newUpdater(SendAllSubscriber.class, "state");

        SendAllSubscriber(CoreSubscriber<? super Void> actual, Mpsc.Sender<T> sender) {
            this.actual = actual;
            this.sender = sender;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(this.s, s)) {
                this.s = s;
                actual.onSubscribe(this);
                if ((state & TERMINATED) == 0) {
                    s.request(1);
                }
            }
        }

        @Override
        public void onNext(T t) {
            if ((state & (TERMINATED | UPSTREAM_DONE)) != 0) {
                Operators.onNextDropped(t, actual.currentContext());
                return;
            }
            STATE.getAndUpdate(this, x -> x | SENDING);
            CompletableFuture<Void> f;
            try {
                f = sender.send(t);
            } catch (Throwable e) {
                // A closed sender handle (IllegalStateException) or a null element.
                Exceptions.throwIfFatal(e);
                s.cancel();
                sendDone(e);
                return;
            }
            pending = f;
            f.whenComplete(this);
            if ((state & TERMINATED) != 0) {
                f.cancel(false);
            }
        }

        /** The completion of the send in flight. */
        @Override
        public void accept(Void ignored, Throwable e) {
            pending = null;
            if (e != null) {
                Throwable cause =
                        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (!(cause instanceof CancellationException)) {
                    s.cancel(); // the channel is closed: stop the source
                }
                sendDone(cause);
                return;
            }
            sendDone(null);
        }

        /**
         * Clears SENDING; finishes if the source is done or the send failed, else asks for more.
         */
        private void sendDone(Throwable sendError) {
            if (sendError != null) {
                int prev = STATE.getAndUpdate(this, x -> (x & ~SENDING) | TERMINATED);
                if ((prev & TERMINATED) == 0) {
                    actual.onError(sendError);
                } else if (!(sendError instanceof CancellationException)) {
                    Operators.onErrorDropped(sendError, actual.currentContext());
                }
                return;
            }
            int prev = STATE.getAndUpdate(this, x -> x & ~SENDING);
            if ((prev & TERMINATED) != 0) {
                return;
            }
            if ((prev & UPSTREAM_DONE) != 0) {
                finish();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            if ((state & (TERMINATED | UPSTREAM_DONE)) != 0) {
                Operators.onErrorDropped(t, actual.currentContext());
                return;
            }
            error = t;
            upstreamDone();
        }

        @Override
        public void onComplete() {
            if ((state & (TERMINATED | UPSTREAM_DONE)) != 0) {
                return;
            }
            upstreamDone();
        }

        /** Sets UPSTREAM_DONE; finishes now unless a send is in flight (its completion will). */
        private void upstreamDone() {
            int prev = STATE.getAndUpdate(this, x -> x | UPSTREAM_DONE);
            if ((prev & (SENDING | TERMINATED)) == 0) {
                finish();
            }
        }

        /** The terminal signal after the source ended and no send is in flight. */
        private void finish() {
            int prev = STATE.getAndUpdate(this, x -> x | TERMINATED);
            if ((prev & TERMINATED) != 0) {
                return;
            }
            Throwable e = error;
            if (e != null) {
                actual.onError(e);
            } else {
                actual.onComplete();
            }
        }

        @Override
        public void request(long n) {
            // Mono<Void>: no elements to deliver, so demand changes nothing.
        }

        @Override
        public void cancel() {
            int prev = STATE.getAndUpdate(this, x -> x | TERMINATED);
            if ((prev & TERMINATED) != 0) {
                return;
            }
            s.cancel();
            CompletableFuture<Void> f = pending;
            if (f != null) {
                // The value is not sent if this wins; if the send won, it is in the channel.
                f.cancel(false);
            }
        }
    }
}
