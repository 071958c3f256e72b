package dev.tandem.hub.stream;

import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.stream.LockedStream.ProducerState;
import java.util.ArrayList;
import java.util.Collections;

/**
 * Decides one append against a locked stream's state, in the order the protocol gives
 * (PROTOCOL 5.2 and 5.2.1): existence, closure, content type, producer epoch and sequence,
 * Stream-Seq. An accepted append is assigned the next sequence numbers and advances the
 * in-memory state; a refused one throws the {@link TandemError} the client will get.
 *
 * <p>Pure: no I/O. The group committer calls it for each append of a batch, in arrival order,
 * so later appends in the same batch see the effects of earlier ones.
 */
final class AppendPlanner {

  private AppendPlanner() {}

  static AppendAck plan(LockedStream s, AppendRequest r) {
    if (s == null || s.expired) {
      throw TandemError.notFound("no stream at '" + r.path() + "'");
    }
    if (s.softDeleted) {
      throw TandemError.gone("stream '" + r.path() + "' was deleted");
    }
    Producer p = r.producer();
    ProducerState proposed = null;
    if (s.closed) {
      if (p != null) {
        ProducerState current = s.producers.get(p.id());
        if (current != null && p.epoch() < current.epoch()) {
          throw staleEpoch(current);
        }
        if (current != null && p.epoch() == current.epoch() && p.seq() <= current.lastSeq()) {
          return new AppendAck(s.tail, s.tail, true, true, p, current.lastSeq());
        }
      }
      if (r.records().isEmpty() && p == null) {
        return new AppendAck(s.tail, s.tail, true, false, null, 0); // closing again is idempotent
      }
      throw closed(s);
    }
    if (!r.records().isEmpty() && !s.contentType.equals(r.contentType())) {
      throw TandemError.conflict("content_type_mismatch",
          "stream '" + s.path + "' holds " + s.contentType + ", not " + r.contentType());
    }
    if (p != null) {
      ProducerState current = s.producers.get(p.id());
      proposed = checkProducer(current, p);
      if (proposed == null) {
        return new AppendAck(s.tail, s.tail, s.closed, true, p, current.lastSeq());
      }
    }
    if (r.streamSeq() != null && s.streamSeq != null && r.streamSeq().compareTo(s.streamSeq) <= 0) {
      throw TandemError.conflict("stream_seq_conflict",
          "Stream-Seq '" + r.streamSeq() + "' is not after the last accepted '" + s.streamSeq + "'");
    }

    long first = s.tail;
    addStamps(s, r);
    s.newRecords.addAll(r.records());
    s.tail += r.records().size();
    if (r.streamSeq() != null) {
      s.streamSeq = r.streamSeq();
    }
    if (proposed != null) {
      s.producers.put(p.id(), proposed);
      s.changedProducers.add(p.id());
    }
    if (r.close()) {
      s.closed = true;
      if (p != null) {
        s.closedByProducer = p.id();
        s.closedByEpoch = p.epoch();
        s.closedBySeq = p.seq();
      }
    }
    s.dirty = true;
    return new AppendAck(first, s.tail, s.closed, false, p, p == null ? 0 : p.seq());
  }

  /** Keeps one stamp per new record, but only once some append of the batch has one. */
  private static void addStamps(LockedStream s, AppendRequest r) {
    Stamp stamp = r.stamp();
    if (stamp.isNone() && s.newStamps == null) {
      return;
    }
    if (s.newStamps == null) {
      s.newStamps = new ArrayList<>(Collections.nCopies(s.newRecords.size(), Stamp.NONE));
    }
    for (int i = 0; i < r.records().size(); i++) {
      s.newStamps.add(stamp);
    }
  }

  /** The producer state after accepting {@code p}, or null when {@code p} is a duplicate. */
  private static ProducerState checkProducer(ProducerState current, Producer p) {
    if (current == null) {
      if (p.seq() != 0) {
        throw gap(0, p.seq());
      }
      return new ProducerState(p.epoch(), 0);
    }
    if (p.epoch() < current.epoch()) {
      throw staleEpoch(current);
    }
    if (p.epoch() > current.epoch()) {
      if (p.seq() != 0) {
        throw TandemError.badRequest("invalid_producer_seq",
            "a new producer epoch must start at Producer-Seq 0, got " + p.seq());
      }
      return new ProducerState(p.epoch(), 0);
    }
    if (p.seq() <= current.lastSeq()) {
      return null;
    }
    if (p.seq() == current.lastSeq() + 1) {
      return new ProducerState(p.epoch(), p.seq());
    }
    throw gap(current.lastSeq() + 1, p.seq());
  }

  private static TandemError staleEpoch(ProducerState current) {
    return TandemError.of(403, "stale_producer_epoch",
            "producer epoch is behind the current epoch " + current.epoch() + " (fenced)")
        .withHeader("Producer-Epoch", Long.toString(current.epoch()));
  }

  private static TandemError gap(long expected, long received) {
    return TandemError.conflict("producer_seq_gap",
            "expected Producer-Seq " + expected + ", got " + received)
        .withHeader("Producer-Expected-Seq", Long.toString(expected))
        .withHeader("Producer-Received-Seq", Long.toString(received));
  }

  static TandemError closed(LockedStream s) {
    return TandemError.conflict("stream_closed", "stream '" + s.path + "' is closed")
        .withHeader("Stream-Closed", "true")
        .withHeader("Stream-Next-Offset", Offsets.format(s.tail));
  }
}
