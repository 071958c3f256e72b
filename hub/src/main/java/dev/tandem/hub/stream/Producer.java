package dev.tandem.hub.stream;

/** The idempotent-producer headers of one append: who, which session (epoch), which batch (seq). */
public record Producer(String id, long epoch, long seq) {}
