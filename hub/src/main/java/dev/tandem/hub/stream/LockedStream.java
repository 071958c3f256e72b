package dev.tandem.hub.stream;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stream's writer state as read under its row lock at the start of a commit batch, then
 * advanced in memory append by append. What changed is written back in the same transaction.
 */
final class LockedStream {

  record ProducerState(long epoch, long lastSeq) {}

  final long id;
  final String path;
  final String contentType;
  final boolean softDeleted;
  final boolean expired;
  final long firstNewSeq;

  boolean closed;
  long tail;
  String streamSeq;
  String closedByProducer;
  Long closedByEpoch;
  Long closedBySeq;
  boolean dirty;

  final Map<String, ProducerState> producers = new HashMap<>();
  final Set<String> changedProducers = new LinkedHashSet<>();
  final List<Buffer> newRecords = new ArrayList<>();
  /** Parallel to {@code newRecords} once an append of the batch brings a stamp; null until then. */
  List<Stamp> newStamps;

  LockedStream(long id, String path, String contentType, boolean closed, boolean softDeleted,
               boolean expired, long tail, String streamSeq, String closedByProducer,
               Long closedByEpoch, Long closedBySeq) {
    this.id = id;
    this.path = path;
    this.contentType = contentType;
    this.closed = closed;
    this.softDeleted = softDeleted;
    this.expired = expired;
    this.tail = tail;
    this.firstNewSeq = tail;
    this.streamSeq = streamSeq;
    this.closedByProducer = closedByProducer;
    this.closedByEpoch = closedByEpoch;
    this.closedBySeq = closedBySeq;
  }
}
