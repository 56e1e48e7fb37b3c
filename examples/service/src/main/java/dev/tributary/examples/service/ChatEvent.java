package dev.tributary.examples.service;

/**
 * A chat message as every {@code GET /chat/stream} client receives it, in the data of a {@code
 * message} event whose SSE id is {@code id}.
 *
 * @param id the message's number: consecutive, from 1, in the order messages were published
 * @param user who wrote it
 * @param text what they wrote
 */
public record ChatEvent(long id, String user, String text) {}
