package dev.tributary.sync.reactor;

import static dev.tributary.sync.reactor.ReactorChannels.flux;
import static dev.tributary.sync.reactor.ReactorChannels.send;
import static dev.tributary.sync.reactor.ReactorChannels.sendAll;
import static dev.tributary.sync.reactor.ReactorSync.limit;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.sync.Broadcast;
import dev.tributary.sync.LagPolicy;
import dev.tributary.sync.Mpsc;
import dev.tributary.sync.Semaphore;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The README example of this module, as written there. */
@ExtendWith(BlockHoundSupport.class)
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns() {
        Semaphore backend = new Semaphore(8); // one limit shared by every pipeline
        Mpsc.Channel<Integer> orders = Mpsc.channel(256);
        Broadcast.Sender<String> receipts = Broadcast.sender(1024);
        Mono<Long> audited = flux(receipts, LagPolicy.ERROR).count().cache();
        audited.subscribe();

        Mpsc.Sender<Integer> web = orders.sender().clone(), batch = orders.sender().clone();
        orders.sender().close();
        Mono<Void> producers =
                Mono.when(
                        sendAll(web, Flux.range(0, 500)).doFinally(s -> web.close()),
                        sendAll(batch, Flux.range(500, 500)).doFinally(s -> batch.close()));
        Mono<Void> workers =
                flux(orders.receiver())
                        .transform(
                                limit(
                                        backend,
                                        order ->
                                                Mono.fromCallable(() -> "receipt " + order)
                                                        .subscribeOn(Schedulers.parallel())))
                        .concatMap(receipt -> send(receipts, receipt))
                        .then(Mono.fromRunnable(receipts::close));
        Mono.when(producers, workers).block(Duration.ofSeconds(30));
        assertEquals(1000L, audited.block(Duration.ofSeconds(10)));
    }
}
