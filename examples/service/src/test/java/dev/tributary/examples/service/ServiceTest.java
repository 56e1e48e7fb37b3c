package dev.tributary.examples.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service against its real Reactor Netty server on a random port, one context for the class:
 * chat fan-out to 500 SSE clients, the config stream, the limiter under a burst of 2,000 requests,
 * bad input, and the Actuator metrics.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tributary.service.chat-capacity=64",
            "tributary.service.max-text-length=1000",
            "tributary.service.downstream-permits=4",
            "tributary.service.downstream-max-waiting=16",
            "tributary.service.retry-after=2s"
        })
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServiceTest {

    static final int N = 4;
    static final int M = 16;

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {};
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One pool for every client connection, sized for the 500 streams plus the bursts. */
    private static final ConnectionProvider POOL =
            ConnectionProvider.builder("service-test")
                    .maxConnections(700)
                    .pendingAcquireMaxCount(-1)
                    .build();

    /** A downstream held on a gate, counting how many calls are in flight at once. */
    static final class GatedDownstream implements Downstream {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        @Override
        public Mono<String> call(String id) {
            return Mono.defer(
                    () -> {
                        int now = inFlight.incrementAndGet();
                        maxInFlight.accumulateAndGet(now, Math::max);
                        // The call ends when its answer is produced; counting it out later (in
                        // doFinally) would overlap it with the call its released permit starts.
                        return Mono.fromFuture(gate, true)
                                .then(
                                        Mono.fromCallable(
                                                () -> {
                                                    inFlight.decrementAndGet();
                                                    return "done " + id;
                                                }))
                                .doOnCancel(inFlight::decrementAndGet);
                    });
        }
    }

    @TestConfiguration
    static class Config {
        @Bean
        @Primary
        GatedDownstream gatedDownstream() {
            return new GatedDownstream();
        }
    }

    @LocalServerPort int port;
    @Autowired GatedDownstream downstream;
    @Autowired DownstreamLimiter limiter;
    @Autowired ChatService chat;

    WebTestClient client;
    WebClient webClient;

    @BeforeEach
    void clients() {
        String base = "http://localhost:" + port;
        HttpClient http = HttpClient.create(POOL);
        client =
                WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
                        .baseUrl(base)
                        .responseTimeout(Duration.ofSeconds(30))
                        .build();
        webClient =
                WebClient.builder()
                        .baseUrl(base)
                        .clientConnector(new ReactorClientHttpConnector(http))
                        .build();
    }

    @AfterAll
    static void closePool() {
        POOL.dispose();
    }

    static JsonNode json(String data) {
        return JSON.readTree(data);
    }

    /** One SSE client of the chat: every event it received, and a latch for its joined event. */
    final class ChatClient {
        final List<ServerSentEvent<String>> events =
                Collections.synchronizedList(new ArrayList<>());
        final Disposable subscription;

        ChatClient(CountDownLatch joined) {
            subscription =
                    webClient
                            .get()
                            .uri("/chat/stream")
                            .accept(MediaType.TEXT_EVENT_STREAM)
                            .retrieve()
                            .bodyToFlux(SSE)
                            .subscribe(
                                    e -> {
                                        events.add(e);
                                        if ("joined".equals(e.event())) {
                                            joined.countDown();
                                        }
                                    });
        }

        long lastMessageId() {
            synchronized (events) {
                for (int i = events.size() - 1; i >= 0; i--) {
                    if ("message".equals(events.get(i).event())) {
                        return Long.parseLong(events.get(i).id());
                    }
                }
            }
            return 0;
        }

        /**
         * Checks the messages after {@code joined} are {@code first..last} in order, each gap
         * announced by a lagged event with exactly its size; returns the lag events seen.
         */
        int assertInOrder(long first, long last) {
            List<ServerSentEvent<String>> seen;
            synchronized (events) {
                seen = new ArrayList<>(events);
            }
            assertThat(seen.get(0).event()).isEqualTo("joined");
            long expected = first;
            long pendingLag = 0;
            int lags = 0;
            for (ServerSentEvent<String> e : seen.subList(1, seen.size())) {
                if ("lagged".equals(e.event())) {
                    pendingLag += json(e.data()).get("missed").asLong();
                    lags++;
                    continue;
                }
                assertThat(e.event()).isEqualTo("message");
                long id = Long.parseLong(e.id());
                assertThat(id)
                        .as("message id after %d lagged", pendingLag)
                        .isEqualTo(expected + pendingLag);
                assertThat(json(e.data()).get("id").asLong()).isEqualTo(id);
                expected = id + 1;
                pendingLag = 0;
            }
            assertThat(expected - 1).isEqualTo(last);
            return lags;
        }
    }

    /** Expects 200 and returns the JSON body. */
    static JsonNode okJson(WebTestClient.ResponseSpec response) {
        byte[] body = response.expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return json(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    long post(String user, String text) {
        return okJson(
                        client.post()
                                .uri("/chat")
                                .contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(Map.of("user", user, "text", text))
                                .exchange())
                .get("id")
                .asLong();
    }

    double metric(String name, String tag) {
        String path = "/actuator/metrics/" + name + (tag == null ? "" : "?tag=" + tag);
        return okJson(client.get().uri(path).exchange())
                .get("measurements")
                .get(0)
                .get("value")
                .asDouble();
    }

    @Test
    void fiveHundredSseClientsSeeTheSameMessagesInOrder() throws Exception {
        int clients = 500;
        int messages = 20;
        CountDownLatch joined = new CountDownLatch(clients);
        List<ChatClient> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            all.add(new ChatClient(joined));
        }
        try {
            assertThat(joined.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(metric("tributary.broadcast.receivers", "name:chat"))
                    .isGreaterThanOrEqualTo(clients);

            long first = post("ada", "message 0");
            long last = first;
            for (int i = 1; i < messages; i++) {
                last = post(i % 2 == 0 ? "ada" : "grace", "message " + i);
            }
            assertThat(last).isEqualTo(first + messages - 1);
            long end = last;
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> all.stream().allMatch(c -> c.lastMessageId() == end));
            for (ChatClient c : all) {
                c.assertInOrder(first, last);
            }
        } finally {
            all.forEach(c -> c.subscription.dispose());
        }
    }

    /**
     * A client on a raw socket with a small receive buffer, so not reading is real TCP
     * backpressure: the server's writes back up and its cursor in the channel falls behind.
     */
    static final class RawSseClient implements AutoCloseable {
        final java.net.Socket socket = new java.net.Socket();
        final java.io.InputStream in;
        final StringBuilder text = new StringBuilder();
        final List<ServerSentEvent<String>> events = new ArrayList<>();

        RawSseClient(int port) throws java.io.IOException {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("localhost", port));
            socket.getOutputStream()
                    .write(
                            ("GET /chat/stream HTTP/1.1\r\nHost: localhost\r\n"
                                            + "Accept: text/event-stream\r\n\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            in = new java.io.BufferedInputStream(socket.getInputStream());
            while (!readLine().isEmpty()) {} // status line and headers
        }

        String readLine() throws java.io.IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new java.io.EOFException();
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        /** Reads chunks (the response is chunked) and parses events until one matches. */
        void readUntil(java.util.function.Predicate<ServerSentEvent<String>> done)
                throws java.io.IOException {
            while (events.isEmpty() || !done.test(events.get(events.size() - 1))) {
                int size = Integer.parseInt(readLine().trim(), 16);
                text.append(
                        new String(in.readNBytes(size), java.nio.charset.StandardCharsets.UTF_8));
                readLine();
                int end;
                while ((end = text.indexOf("\n\n")) >= 0) {
                    String block = text.substring(0, end);
                    text.delete(0, end + 2);
                    ServerSentEvent.Builder<String> event = ServerSentEvent.builder();
                    for (String field : block.split("\n")) {
                        int colon = field.indexOf(':');
                        String name = field.substring(0, colon);
                        String value = field.substring(colon + 1);
                        switch (name) {
                            case "event" -> event.event(value);
                            case "id" -> event.id(value);
                            case "data" -> event.data(value);
                            default -> {}
                        }
                    }
                    events.add(event.build());
                }
            }
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void aSlowClientLagsIsToldHowManyItMissedAndDoesNotStallTheOthers() throws Exception {
        CountDownLatch joined = new CountDownLatch(1);
        ChatClient fast = new ChatClient(joined);
        try (RawSseClient slow = new RawSseClient(port)) {
            slow.readUntil(e -> "joined".equals(e.event()));
            assertThat(joined.await(30, TimeUnit.SECONDS)).isTrue();
            long first = chat.lastId() + 1;
            String text = "x".repeat(1000);
            long last = 0;
            // Batches the fast client keeps up with (each half the capacity of 64), while the
            // slow client reads nothing: about 8 MB, more than the socket and Netty buffers hold.
            for (int batch = 0; batch < 250; batch++) {
                for (int i = 0; i < 32; i++) {
                    last = chat.publish(new ChatMessage("load", text)).id();
                }
                long end = last;
                await().atMost(Duration.ofSeconds(30)).until(() -> fast.lastMessageId() == end);
            }
            assertThat(fast.assertInOrder(first, last))
                    .as("lag events of the fast client")
                    .isZero();

            String end = Long.toString(last);
            slow.readUntil(e -> end.equals(e.id()));
            ChatClient check = new ChatClient(new CountDownLatch(1));
            check.subscription.dispose();
            check.events.clear();
            check.events.addAll(slow.events);
            assertThat(check.assertInOrder(first, last))
                    .as("lag events of the slow client")
                    .isPositive();
            assertThat(metric("tributary.broadcast.lagged", "name:chat")).isPositive();
        } finally {
            fast.subscription.dispose();
        }
    }

    @Test
    void theConfigStreamGivesLateSubscribersTheLatestValueThenChanges() {
        put(Map.of("topic", "first", "slowModeSeconds", 1)).expectStatus().isOk();
        put(Map.of("topic", "latest", "slowModeSeconds", 2)).expectStatus().isOk();

        Flux<ServerSentEvent<String>> stream =
                webClient.get().uri("/config/stream").retrieve().bodyToFlux(SSE);
        List<ServerSentEvent<String>> received = Collections.synchronizedList(new ArrayList<>());
        Disposable late = stream.subscribe(received::add);
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
            assertThat(received.get(0).event()).isEqualTo("config");
            assertThat(json(received.get(0).data()).get("topic").asString()).isEqualTo("latest");

            put(Map.of("topic", "changed", "slowModeSeconds", 3)).expectStatus().isOk();
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2);
            JsonNode changed = json(received.get(1).data());
            assertThat(changed.get("topic").asString()).isEqualTo("changed");
            assertThat(changed.get("slowModeSeconds").asInt()).isEqualTo(3);
        } finally {
            late.dispose();
        }
    }

    WebTestClient.ResponseSpec put(Object body) {
        return client.put()
                .uri("/config")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    @Test
    void badInputGets400ProblemDetailsAndChangesNothing() throws Exception {
        put(Map.of("topic", "before", "slowModeSeconds", 0)).expectStatus().isOk();
        CountDownLatch joined = new CountDownLatch(1);
        ChatClient watcher = new ChatClient(joined);
        try {
            assertThat(joined.await(20, TimeUnit.SECONDS)).isTrue();
            long before = chat.lastId();

            badChat(
                    Map.of("user", "ada", "text", ""),
                    "text of 1 to 1000 characters required but it was empty");
            badChat(
                    Map.of("user", "ada", "text", "y".repeat(1001)),
                    "text of 1 to 1000 characters required but it was 1001 characters");
            badChat(
                    Map.of("user", "", "text", "hi"),
                    "user of 1 to 64 characters required but it was empty");
            badChat("{\"user\": \"ada\", \"text\": ", null);
            badConfig("{\"topic\": \"broken\", ", null);
            badConfig("{\"topic\": \"x\", \"slowModeSeconds\": \"soon\"}", null);
            badConfig(
                    "{\"topic\": \"x\", \"slowModeSeconds\": -1}",
                    "slowModeSeconds in 0..3600 required but it was -1");

            // Nothing changed: the config is as before, and the next chat message is the next id,
            // the first one the watcher sees.
            client.get()
                    .uri("/config")
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody()
                    .jsonPath("$.topic")
                    .isEqualTo("before");
            assertThat(chat.lastId()).isEqualTo(before);
            long next = post("ada", "valid");
            assertThat(next).isEqualTo(before + 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> watcher.lastMessageId() == next);
            watcher.assertInOrder(next, next);
        } finally {
            watcher.subscription.dispose();
        }
    }

    void badChat(Object body, String detail) {
        expectProblem(
                client.post()
                        .uri("/chat")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body)
                        .exchange(),
                detail);
    }

    void badConfig(String body, String detail) {
        expectProblem(put(body), detail);
    }

    static void expectProblem(WebTestClient.ResponseSpec response, String detail) {
        WebTestClient.BodyContentSpec body =
                response.expectStatus()
                        .isBadRequest()
                        .expectHeader()
                        .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectBody()
                        .jsonPath("$.status")
                        .isEqualTo(400)
                        .jsonPath("$.title")
                        .exists();
        if (detail != null) {
            body.jsonPath("$.detail").isEqualTo(detail);
        }
    }

    record Outcome(int status, String retryAfter) {}

    Mono<Outcome> work(int i) {
        return webClient
                .get()
                .uri("/work/{id}", i)
                .exchangeToMono(
                        r ->
                                r.releaseBody()
                                        .thenReturn(
                                                new Outcome(
                                                        r.statusCode().value(),
                                                        r.headers()
                                                                .asHttpHeaders()
                                                                .getFirst("Retry-After"))));
    }

    @Test
    void theLimiterHoldsNInFlightMWaitingAndAnswers429ExactlyBeyondThat() {
        int total = 2000;
        downstream.maxInFlight.set(0);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        downstream.gate = gate;
        try {
            // N + M requests: N reach the downstream and hold there, M wait for a permit.
            CompletableFuture<List<Outcome>> admitted =
                    Flux.range(0, N + M).flatMap(this::work, N + M).collectList().toFuture();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> downstream.inFlight.get() == N && limiter.waiting() == M);
            assertThat(metric("tributary.semaphore.permits.available", "name:downstream")).isZero();
            assertThat(metric("tributary.semaphore.waiters", "name:downstream")).isEqualTo(M);
            assertThat(metric("tributary.service.downstream.waiting", null)).isEqualTo(M);

            // Every further request finds M waiting: each one gets 429 with Retry-After.
            List<Outcome> rejected =
                    Flux.range(N + M, total - N - M)
                            .flatMap(this::work, 64)
                            .collectList()
                            .block(Duration.ofSeconds(60));
            assertThat(rejected).hasSize(total - N - M);
            assertThat(rejected).allMatch(o -> o.status() == 429 && "2".equals(o.retryAfter()));
            assertThat(downstream.inFlight.get()).isEqualTo(N);
            assertThat(limiter.waiting()).isEqualTo(M);

            gate.complete(null);
            List<Outcome> served = admitted.join();
            assertThat(served).hasSize(N + M).allMatch(o -> o.status() == 200);
            assertThat(served.size() + rejected.size()).isEqualTo(total);
            assertThat(downstream.maxInFlight.get()).isEqualTo(N);
            await().atMost(Duration.ofSeconds(10)).until(() -> limiter.waiting() == 0);
            assertThat(metric("tributary.semaphore.permits.available", "name:downstream"))
                    .isEqualTo(N);
        } finally {
            gate.complete(null);
        }
    }

    @Test
    void underAnOpenBurstOf2000TheLimiterNeverExceedsN() {
        downstream.maxInFlight.set(0);
        downstream.gate = CompletableFuture.completedFuture(null);
        List<Outcome> outcomes =
                Flux.range(0, 2000)
                        .flatMap(this::work, 200)
                        .collectList()
                        .block(Duration.ofSeconds(60));
        assertThat(outcomes).hasSize(2000);
        long ok = outcomes.stream().filter(o -> o.status() == 200).count();
        long busy = outcomes.stream().filter(o -> o.status() == 429).count();
        assertThat(ok + busy).isEqualTo(2000);
        assertThat(ok).isPositive();
        assertThat(downstream.maxInFlight.get()).isBetween(1, N);
    }

    @Test
    void notFoundAndWrongMethodAreProblemsToo() {
        client.get()
                .uri("/chat")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
