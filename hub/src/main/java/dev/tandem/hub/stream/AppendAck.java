package dev.tandem.hub.stream;

/**
 * The answer to an append, given only after the batch holding it has committed.
 *
 * @param firstSeq sequence number of the first record this append stored (nextSeq when none)
 * @param nextSeq the stream's tail right after this append: the offset to read from next
 * @param duplicate an idempotent retry of something already stored; nothing was appended
 * @param producerSeq the highest sequence accepted for the producer (echoed to the client)
 */
public record AppendAck(long firstSeq, long nextSeq, boolean closed, boolean duplicate,
                        Producer producer, long producerSeq) {}
