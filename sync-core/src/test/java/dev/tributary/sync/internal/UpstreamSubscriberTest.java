package dev.tributary.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;

/** Behaviour of {@link UpstreamSubscriber}, the rule-keeping base of every subscriber view. */
@Timeout(30)
class UpstreamSubscriberTest {

    static final class Recording extends UpstreamSubscriber<String> {
        final List<String> calls = new ArrayList<>();

        @Override
        protected void subscribed(Subscription s) {
            calls.add("subscribed");
            requestUpstream(3);
        }

        @Override
        protected void next(String item) {
            calls.add(item);
        }

        @Override
        protected void failed(Throwable error) {
            calls.add("failed " + error.getMessage());
        }

        @Override
        protected void completed() {
            calls.add("completed");
        }

        void cancel() {
            cancelUpstream();
        }

        boolean cancelled() {
            return isUpstreamCancelled();
        }
    }

    static final class Sub implements Subscription {
        long requested;
        int cancels;

        @Override
        public void request(long n) {
            requested += n;
        }

        @Override
        public void cancel() {
            cancels++;
        }
    }

    @Test
    void forwardsSignalsToTheHooks() {
        Recording r = new Recording();
        Sub s = new Sub();
        r.onSubscribe(s);
        r.onNext("a");
        r.onError(new IllegalStateException("boom"));
        r.onComplete();
        assertEquals(List.of("subscribed", "a", "failed boom", "completed"), r.calls);
        assertEquals(3, s.requested);
    }

    @Test
    void secondSubscriptionIsCancelledRule25() {
        Recording r = new Recording();
        Sub first = new Sub();
        Sub second = new Sub();
        r.onSubscribe(first);
        r.onSubscribe(second);
        assertEquals(0, first.cancels);
        assertEquals(1, second.cancels);
        assertEquals(0, second.requested);
        assertEquals(List.of("subscribed"), r.calls);
    }

    @Test
    void nullArgumentsThrowNamingRule213() {
        Recording r = new Recording();
        NullPointerException e1 =
                assertThrows(NullPointerException.class, () -> r.onSubscribe(null));
        assertTrue(e1.getMessage().contains("2.13"), e1.getMessage());
        r.onSubscribe(new Sub());
        NullPointerException e2 = assertThrows(NullPointerException.class, () -> r.onNext(null));
        assertTrue(e2.getMessage().contains("2.13"), e2.getMessage());
        NullPointerException e3 = assertThrows(NullPointerException.class, () -> r.onError(null));
        assertTrue(e3.getMessage().contains("2.13"), e3.getMessage());
        assertEquals(List.of("subscribed"), r.calls);
    }

    @Test
    void cancelUpstreamCancelsOnceAndStopsRequests() {
        Recording r = new Recording();
        Sub s = new Sub();
        r.onSubscribe(s);
        assertFalse(r.cancelled());
        r.cancel();
        r.cancel();
        assertEquals(1, s.cancels);
        assertTrue(r.cancelled());
        r.requestUpstream(5);
        assertEquals(3, s.requested, "no request after cancel");
    }

    @Test
    void subscriptionArrivingAfterCancelIsCancelledAtOnce() {
        Recording r = new Recording();
        r.cancel();
        Sub s = new Sub();
        r.onSubscribe(s);
        assertEquals(1, s.cancels);
        assertEquals(0, s.requested);
        assertEquals(List.of(), r.calls);
    }
}
