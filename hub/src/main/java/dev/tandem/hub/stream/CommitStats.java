package dev.tandem.hub.stream;

/**
 * How one group-commit transaction went, reported to metrics after it ends.
 *
 * @param appends the append requests in the transaction (its batch size)
 * @param refused appends the planner refused (closed stream, producer gap, ...): answered 4xx
 * @param duplicates idempotent retries of something already stored
 * @param records records stored by the transaction
 * @param nanos from the start of the transaction to its commit (or failure)
 * @param committed false when the transaction failed and every append in it was answered with
 *     the failure
 */
public record CommitStats(int appends, int refused, int duplicates, int records, long nanos, boolean committed) {}
