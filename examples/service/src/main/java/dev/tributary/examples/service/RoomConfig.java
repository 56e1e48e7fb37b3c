package dev.tributary.examples.service;

/**
 * The service's live configuration, held in a watch channel: {@code PUT /config} replaces it and
 * {@code GET /config/stream} streams it.
 *
 * @param topic the chat room's topic, at most 200 characters, not null
 * @param slowModeSeconds advisory seconds between a client's messages, {@code 0..3600}
 */
public record RoomConfig(String topic, int slowModeSeconds) {}
