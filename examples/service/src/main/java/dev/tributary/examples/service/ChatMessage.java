package dev.tributary.examples.service;

/**
 * The body of {@code POST /chat}: {@code {"user": "ada", "text": "hello"}}.
 *
 * @param user who writes, 1 to {@code max-user-length} characters
 * @param text what they write, 1 to {@code max-text-length} characters
 */
public record ChatMessage(String user, String text) {}
