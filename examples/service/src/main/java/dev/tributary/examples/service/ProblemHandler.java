package dev.tributary.examples.service;

import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as an RFC 9457 {@code application/problem+json} body: Spring's own (a malformed or
 * missing JSON body, a wrong media type) through {@link ResponseEntityExceptionHandler}, the
 * validation errors of {@link BadInput}, and the limiter's 429.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    /** Spring instantiates it. */
    public ProblemHandler() {}

    /**
     * 429 Too Many Requests with {@code Retry-After} (whole seconds).
     *
     * @param e the rejection
     * @return the response
     */
    @ExceptionHandler(LimiterFullException.class)
    public ResponseEntity<ProblemDetail> limiterFull(LimiterFullException e) {
        ProblemDetail problem =
                ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
        problem.setTitle("Downstream busy");
        problem.setType(URI.create("https://tributary.dev/problems/downstream-busy"));
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds()))
                .body(problem);
    }
}
