package dev.tributary.sync.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.ClosedException;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.LaggedException;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Mutex;
import dev.tributary.sync.Oneshot;
import dev.tributary.sync.Semaphore;
import dev.tributary.sync.Watch;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Bad input as Reactor treats it: a null or out-of-range argument throws at assembly, when the
 * method is called, with a message naming what was required and what was given; a runtime condition
 * is an {@code onError} signal, never an exception thrown at the subscriber.
 */
@ExtendWith(BlockHoundSupport.class)
class BadInputTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static void throwsNpe(String message, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void nullArgumentsThrowAtAssembly() {
        Mpsc.Channel<Integer> mpsc = Mpsc.channel(1);
        throwsNpe(
                "receiver must not be null",
                () -> ReactorChannels.flux((Mpsc.AbstractReceiver<Integer>) null));
        throwsNpe("value must not be null", () -> ReactorChannels.send(mpsc.sender(), null));
        throwsNpe(
                "sender must not be null",
                () -> ReactorChannels.send((Mpsc.Sender<Integer>) null, 1));
        throwsNpe(
                "value must not be null",
                () -> ReactorChannels.send(Mpsc.<Integer>unboundedChannel().sender(), null));
        throwsNpe("source must not be null", () -> ReactorChannels.sendAll(mpsc.sender(), null));
        throwsNpe("sender must not be null", () -> ReactorChannels.sendAll(null, Flux.just(1)));
        Broadcast.Channel<Integer> bc = Broadcast.channel(2);
        throwsNpe("policy must not be null", () -> ReactorChannels.flux(bc.receiver(), null));
        throwsNpe("policy must not be null", () -> ReactorChannels.flux(bc.sender(), null));
        throwsNpe("value must not be null", () -> ReactorChannels.send(bc.sender(), null));
        Watch.Channel<Integer> w = Watch.channel(0);
        throwsNpe(
                "receiver must not be null",
                () -> ReactorChannels.flux((Watch.Receiver<Integer>) null));
        throwsNpe("predicate must not be null", () -> ReactorChannels.waitFor(w.receiver(), null));
        throwsNpe("receiver must not be null", () -> ReactorChannels.changed(null));
        throwsNpe("value must not be null", () -> ReactorChannels.send(w.sender(), null));
        throwsNpe("receiver must not be null", () -> ReactorChannels.mono(null));
        throwsNpe(
                "value must not be null",
                () -> ReactorChannels.send(Oneshot.<Integer>channel().sender(), null));

        throwsNpe("mutex must not be null", () -> ReactorSync.lock(null));
        throwsNpe("fn must not be null", () -> ReactorSync.withLock(new Mutex<>(1), null));
        throwsNpe("lock must not be null", () -> ReactorSync.read(null));
        throwsNpe("lock must not be null", () -> ReactorSync.write(null));
        throwsNpe("semaphore must not be null", () -> ReactorSync.acquire(null));
        throwsNpe("semaphore must not be null", () -> ReactorSync.acquire(null, 1));
        throwsNpe("source must not be null", () -> ReactorSync.withPermit(new Semaphore(1), null));
        throwsNpe("semaphore must not be null", () -> ReactorSync.withPermit(null, Mono.just(1)));
        throwsNpe("fn must not be null", () -> ReactorSync.limit(new Semaphore(1), null));
        throwsNpe("semaphore must not be null", () -> ReactorSync.limit(null, Mono::just));
        throwsNpe("notify must not be null", () -> ReactorSync.notified(null));
        throwsNpe(
                "barrier must not be null",
                () -> ReactorSync.await((dev.tributary.sync.Barrier) null));
        throwsNpe(
                "cell must not be null",
                () -> ReactorSync.await((dev.tributary.sync.SetOnce<Integer>) null));
        throwsNpe(
                "init must not be null",
                () -> ReactorSync.getOrInit(new dev.tributary.sync.OnceCell<Integer>(), null));
    }

    @Test
    void outOfRangePermitCountsThrowAtAssembly() {
        Semaphore sem = new Semaphore(1);
        String required = "n in 1..268435455 (Semaphore.MAX_PERMITS) required but it was ";
        for (int n : new int[] {0, -1, Semaphore.MAX_PERMITS + 1, Integer.MIN_VALUE}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ReactorSync.acquire(sem, n));
            assertEquals(required + n, e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ReactorSync.withPermits(sem, n, Mono.just(1)));
            assertEquals(required + n, e.getMessage());
        }
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ReactorSync.limit(sem, 0, Mono::just));
        assertEquals("maxQueued > 0 required but it was 0", e.getMessage());
        assertEquals(1, sem.availablePermits(), "nothing was acquired");
    }

    @Test
    void runtimeConditionsAreErrorSignals() {
        // A closed semaphore.
        Semaphore sem = new Semaphore(1);
        sem.close();
        Mono<?> acquire = ReactorSync.acquire(sem);
        StepVerifier.create(acquire).expectError(ClosedException.class).verify(WAIT);
        StepVerifier.create(Flux.just(1).transform(ReactorSync.limit(sem, Mono::just)))
                .expectError(ClosedException.class)
                .verify(WAIT);
        // A closed mpsc channel.
        Mpsc.Channel<Integer> ch = Mpsc.channel(1);
        ch.receiver().close();
        StepVerifier.create(ReactorChannels.send(ch.sender(), 1))
                .expectError(ClosedException.class)
                .verify(WAIT);
        StepVerifier.create(ReactorChannels.sendAll(ch.sender(), Flux.just(1)))
                .expectError(ClosedException.class)
                .verify(WAIT);
        // A closed sender handle: the sync-core IllegalStateException becomes onError.
        Mpsc.Channel<Integer> ch2 = Mpsc.channel(1);
        Mpsc.Sender<Integer> extra = ch2.sender().clone();
        extra.close();
        StepVerifier.create(ReactorChannels.send(extra, 1))
                .expectError(IllegalStateException.class)
                .verify(WAIT);
        StepVerifier.create(ReactorChannels.sendAll(extra, Flux.just(1)))
                .expectError(IllegalStateException.class)
                .verify(WAIT);
        // A lagged receiver under LagPolicy.ERROR.
        Broadcast.Channel<Integer> bc = Broadcast.channel(1);
        bc.sender().send(1);
        bc.sender().send(2);
        StepVerifier.create(ReactorChannels.flux(bc.receiver(), LagPolicy.ERROR))
                .expectError(LaggedException.class)
                .verify(WAIT);
        // A watch with no receiver left.
        Watch.Sender<Integer> lonely = Watch.sender(0);
        StepVerifier.create(ReactorChannels.send(lonely, 1))
                .expectError(ClosedException.class)
                .verify(WAIT);
        // A second pending changed() on one watch receiver.
        Watch.Channel<Integer> w = Watch.channel(0);
        w.receiver().borrowAndUpdate();
        var pending = ReactorChannels.changed(w.receiver()).subscribe();
        StepVerifier.create(ReactorChannels.changed(w.receiver()))
                .expectError(IllegalStateException.class)
                .verify(WAIT);
        pending.dispose();
    }
}
