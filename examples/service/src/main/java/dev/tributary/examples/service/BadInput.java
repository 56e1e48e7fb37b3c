package dev.tributary.examples.service;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Request bodies that fail validation: a 400 with an RFC 9457 problem-details body. */
final class BadInput {

    private BadInput() {}

    /** A 400 whose detail says what was required and what was given. */
    static ErrorResponseException of(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Bad request body");
        problem.setType(URI.create("https://tributary.dev/problems/bad-input"));
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }

    /** Checks a required text field: not null, {@code 1..max} characters. */
    static String text(String field, String value, int max) {
        if (value == null || value.isEmpty()) {
            throw of(field + " of 1 to " + max + " characters required but it was empty");
        }
        if (value.length() > max) {
            throw of(
                    field
                            + " of 1 to "
                            + max
                            + " characters required but it was "
                            + value.length()
                            + " characters");
        }
        return value;
    }
}
