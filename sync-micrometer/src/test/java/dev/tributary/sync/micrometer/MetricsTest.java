package dev.tributary.sync.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.LaggedException;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.MutexGuard;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.SemaphorePermit;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/** Each binder's meters, read back from a {@link SimpleMeterRegistry} as the primitive changes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String meter, String name) {
        Gauge gauge = registry.find(meter).tag("name", name).gauge();
        assertNotNull(gauge, meter + " with name=" + name + " is not registered");
        return gauge.value();
    }

    @Test
    void semaphorePermitsAndWaitersFollowTheSemaphore() throws Exception {
        Semaphore semaphore = new Semaphore(2);
        new SemaphoreMetrics(semaphore, "db", Tags.of("app", "test")).bindTo(registry);

        assertEquals(2.0, gauge("tributary.semaphore.permits.available", "db"));
        assertEquals(0.0, gauge("tributary.semaphore.waiters", "db"));

        SemaphorePermit first = semaphore.tryAcquire();
        SemaphorePermit second = semaphore.tryAcquire();
        assertEquals(0.0, gauge("tributary.semaphore.permits.available", "db"));
        CompletableFuture<SemaphorePermit> waiting = semaphore.acquire();
        assertEquals(1.0, gauge("tributary.semaphore.waiters", "db"));

        first.close();
        SemaphorePermit third = waiting.get(10, TimeUnit.SECONDS);
        assertEquals(0.0, gauge("tributary.semaphore.waiters", "db"));
        second.close();
        assertEquals(1.0, gauge("tributary.semaphore.permits.available", "db"));
        third.close();
        assertEquals(2.0, gauge("tributary.semaphore.permits.available", "db"));
    }

    @Test
    void metersAreNamedTaggedAndDescribedLikeMicrometersBinders() {
        new SemaphoreMetrics(new Semaphore(1), "s", Tags.of("app", "test")).bindTo(registry);
        new MpscMetrics(Mpsc.<String>channel(4).receiver(), "m").bindTo(registry);
        new BroadcastMetrics(Broadcast.<String>sender(4), "b").bindTo(registry);
        new MutexMetrics(new Mutex<>(0), "x").bindTo(registry);

        List<String> names = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            names.add(id.getName());
            assertTrue(id.getName().startsWith("tributary."), id.getName());
            assertNotNull(id.getTag("name"), id + " has no name tag");
            assertNotNull(id.getDescription(), id + " has no description");
        }
        assertEquals(
                "test",
                registry.get("tributary.semaphore.permits.available")
                        .meter()
                        .getId()
                        .getTag("app"));
        assertEquals(
                "permits",
                registry.get("tributary.semaphore.permits.available")
                        .meter()
                        .getId()
                        .getBaseUnit());
        assertEquals(
                List.of(
                        "tributary.broadcast.lagged",
                        "tributary.broadcast.queued",
                        "tributary.broadcast.receivers",
                        "tributary.mpsc.capacity",
                        "tributary.mpsc.capacity.available",
                        "tributary.mpsc.queued",
                        "tributary.mutex.locked",
                        "tributary.mutex.waiters",
                        "tributary.semaphore.permits.available",
                        "tributary.semaphore.waiters"),
                names.stream().sorted().toList());
    }

    @Test
    void mpscQueuedAndCapacityFollowTheChannel() throws Exception {
        Mpsc.Channel<String> channel = Mpsc.channel(3);
        new MpscMetrics(channel.receiver(), "jobs").bindTo(registry);

        assertEquals(0.0, gauge("tributary.mpsc.queued", "jobs"));
        assertEquals(3.0, gauge("tributary.mpsc.capacity", "jobs"));
        assertEquals(3.0, gauge("tributary.mpsc.capacity.available", "jobs"));

        assertTrue(channel.sender().trySend("a"));
        assertTrue(channel.sender().trySend("b"));
        assertEquals(2.0, gauge("tributary.mpsc.queued", "jobs"));
        assertEquals(1.0, gauge("tributary.mpsc.capacity.available", "jobs"));
        assertEquals(3.0, gauge("tributary.mpsc.capacity", "jobs"));

        assertEquals("a", channel.receiver().tryRecv());
        assertEquals(1.0, gauge("tributary.mpsc.queued", "jobs"));
        assertEquals(2.0, gauge("tributary.mpsc.capacity.available", "jobs"));
    }

    @Test
    void unboundedMpscHasQueuedButNoCapacity() {
        Mpsc.UnboundedChannel<Integer> channel = Mpsc.unboundedChannel();
        new MpscMetrics(channel.receiver(), "events").bindTo(registry);
        for (int i = 0; i < 5; i++) {
            channel.sender().send(i);
        }
        assertEquals(5.0, gauge("tributary.mpsc.queued", "events"));
        assertNull(registry.find("tributary.mpsc.capacity").gauge());
        assertNull(registry.find("tributary.mpsc.capacity.available").gauge());
    }

    @Test
    void broadcastReceiversQueuedAndLagFollowTheChannel() {
        Broadcast.Sender<Integer> sender = Broadcast.sender(2);
        BroadcastMetrics metrics = new BroadcastMetrics(sender, "chat");
        metrics.bindTo(registry);

        assertEquals(0.0, gauge("tributary.broadcast.receivers", "chat"));
        Broadcast.Receiver<Integer> slow = sender.subscribe();
        Broadcast.Receiver<Integer> other = sender.subscribe();
        assertEquals(2.0, gauge("tributary.broadcast.receivers", "chat"));

        for (int i = 0; i < 5; i++) {
            sender.send(i);
        }
        assertEquals(2.0, gauge("tributary.broadcast.queued", "chat"));

        // The channel counts the lag once the receiver notices it: capacity 2, 5 sent, 3 missed.
        assertEquals(0.0, registry.get("tributary.broadcast.lagged").functionCounter().count());
        LaggedException lag = assertThrows(LaggedException.class, slow::tryRecv);
        assertEquals(3, lag.missed());
        assertEquals(3.0, registry.get("tributary.broadcast.lagged").functionCounter().count());

        other.close();
        assertEquals(1.0, gauge("tributary.broadcast.receivers", "chat"));
        slow.close();
        assertEquals(0.0, gauge("tributary.broadcast.receivers", "chat"));
    }

    @Test
    void broadcastLaggedCountsWhatAPublisherViewSkips() {
        Broadcast.Sender<Integer> sender = Broadcast.sender(2);
        BroadcastMetrics metrics = new BroadcastMetrics(sender, "prices");
        metrics.bindTo(registry);

        List<Integer> received = new ArrayList<>();
        Subscription[] subscription = new Subscription[1];
        sender.asPublisher(LagPolicy.SKIP, n -> {})
                .subscribe(
                        new Subscriber<Integer>() {
                            @Override
                            public void onSubscribe(Subscription s) {
                                subscription[0] = s;
                            }

                            @Override
                            public void onNext(Integer value) {
                                received.add(value);
                            }

                            @Override
                            public void onError(Throwable t) {}

                            @Override
                            public void onComplete() {}
                        });
        for (int i = 0; i < 6; i++) {
            sender.send(i);
        }
        // No demand yet: the lag is noticed when the subscriber next requests (see LagPolicy).
        subscription[0].request(10);
        assertEquals(List.of(4, 5), received);
        assertEquals(4.0, registry.get("tributary.broadcast.lagged").functionCounter().count());
        subscription[0].cancel();
    }

    @Test
    void mutexLockedFollowsTheGuard() {
        Mutex<String> mutex = new Mutex<>("state");
        new MutexMetrics(mutex, "state").bindTo(registry);
        assertEquals(0.0, gauge("tributary.mutex.locked", "state"));
        MutexGuard<String> guard = mutex.tryLock();
        assertNotNull(guard);
        assertEquals(1.0, gauge("tributary.mutex.locked", "state"));
        assertEquals(0.0, gauge("tributary.mutex.waiters", "state"));
        CompletableFuture<MutexGuard<String>> next = mutex.lock();
        assertEquals(1.0, gauge("tributary.mutex.waiters", "state"));
        guard.close();
        assertEquals(0.0, gauge("tributary.mutex.waiters", "state"));
        assertEquals(1.0, gauge("tributary.mutex.locked", "state"), "handed to the waiter");
        next.join().close();
        assertEquals(0.0, gauge("tributary.mutex.locked", "state"));
    }

    @Test
    void badArgumentsSayWhatWasRequired() {
        Semaphore semaphore = new Semaphore(1);
        IllegalArgumentException blank =
                assertThrows(
                        IllegalArgumentException.class, () -> new SemaphoreMetrics(semaphore, " "));
        assertEquals("a non-blank name required but it was ' '", blank.getMessage());
        assertThrows(NullPointerException.class, () -> new SemaphoreMetrics(null, "s"));
        assertThrows(NullPointerException.class, () -> new MutexMetrics(new Mutex<>(1), null));
        assertThrows(NullPointerException.class, () -> new BroadcastMetrics(null, "b"));
    }
}
