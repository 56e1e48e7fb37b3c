package dev.tributary.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Graceful shutdown: closing the application context closes the channels with a cause, and every
 * open stream receives a final {@code shutdown} event and then completes. This class starts (and
 * stops) its own context, since stopping it is the behaviour under test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownTest {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {};

    @Test
    void streamsEndWithAShutdownEventWhenTheServiceStops() throws Exception {
        ConfigurableApplicationContext context =
                new SpringApplicationBuilder(ServiceApplication.class)
                        .properties("server.port=0")
                        .run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        WebClient client = WebClient.create("http://localhost:" + port);
        CountDownLatch started = new CountDownLatch(4);
        List<CompletableFuture<List<ServerSentEvent<String>>>> streams =
                List.of("/chat/stream", "/chat/stream", "/chat/stream", "/config/stream").stream()
                        .map(
                                path ->
                                        client.get()
                                                .uri(path)
                                                .retrieve()
                                                .bodyToFlux(SSE)
                                                .doOnNext(
                                                        e -> {
                                                            if ("joined".equals(e.event())
                                                                    || "config".equals(e.event())) {
                                                                started.countDown();
                                                            }
                                                        })
                                                .collectList()
                                                .timeout(Duration.ofSeconds(30))
                                                .toFuture())
                        .toList();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        context.close();

        for (CompletableFuture<List<ServerSentEvent<String>>> stream : streams) {
            List<ServerSentEvent<String>> events = stream.get(30, TimeUnit.SECONDS);
            ServerSentEvent<String> last = events.get(events.size() - 1);
            assertThat(last.event()).isEqualTo("shutdown");
            assertThat(last.data()).contains("the service is stopping");
        }
    }
}
