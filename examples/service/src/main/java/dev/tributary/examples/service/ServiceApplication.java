package dev.tributary.examples.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A Spring WebFlux service built on Tributary: chat over server-sent events on a {@code Broadcast}
 * channel ({@link ChatController}), configuration on a {@code Watch} channel ({@link
 * ConfigController}), and a downstream call limited by a shared {@code Semaphore} ({@link
 * DownstreamLimiter}), with Micrometer meters through Actuator ({@link MetricsConfiguration}) and a
 * graceful shutdown that tells every stream why it ends ({@link ChannelShutdown}).
 */
@SpringBootApplication
@EnableConfigurationProperties(ServiceProperties.class)
public class ServiceApplication {

    /** Spring instantiates this class; the service starts from {@link #main(String[])}. */
    public ServiceApplication() {}

    /**
     * Starts the service on Reactor Netty (port 8080 unless {@code server.port} says otherwise).
     *
     * @param args Spring Boot arguments, e.g. {@code --server.port=9090}
     */
    public static void main(String[] args) {
        SpringApplication.run(ServiceApplication.class, args);
    }
}
