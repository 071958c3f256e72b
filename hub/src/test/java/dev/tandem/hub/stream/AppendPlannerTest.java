package dev.tandem.hub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.http.TandemError;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The append rules without a database: one locked stream, appends applied in order. */
class AppendPlannerTest {

  private static LockedStream stream() {
    return new LockedStream(1, "s", "application/json", false, false, false, 10, null, null, null, null);
  }

  private static AppendRequest append(Producer producer, String streamSeq, boolean close, String... records) {
    return new AppendRequest("s", "application/json",
        java.util.Arrays.stream(records).map(Buffer::buffer).toList(), close, producer, streamSeq);
  }

  @Test
  void assignsConsecutiveSequenceNumbers() {
    LockedStream s = stream();
    AppendAck first = AppendPlanner.plan(s, append(null, null, false, "1", "2"));
    AppendAck second = AppendPlanner.plan(s, append(null, null, false, "3"));
    assertEquals(10, first.firstSeq());
    assertEquals(12, first.nextSeq());
    assertEquals(12, second.firstSeq());
    assertEquals(13, s.tail);
    assertEquals(3, s.newRecords.size());
  }

  @Test
  void producerSequenceWithinOneBatch() {
    LockedStream s = stream();
    AppendPlanner.plan(s, append(new Producer("p", 0, 0), null, false, "a"));
    AppendAck duplicate = AppendPlanner.plan(s, append(new Producer("p", 0, 0), null, false, "a"));
    assertTrue(duplicate.duplicate());
    assertEquals(1, s.newRecords.size());
    TandemError gap = assertThrows(TandemError.class,
        () -> AppendPlanner.plan(s, append(new Producer("p", 0, 5), null, false, "x")));
    assertEquals(409, gap.status());
    assertEquals("1", gap.headers().get("Producer-Expected-Seq"));
    AppendPlanner.plan(s, append(new Producer("p", 1, 0), null, false, "b"));
    TandemError stale = assertThrows(TandemError.class,
        () -> AppendPlanner.plan(s, append(new Producer("p", 0, 1), null, false, "z")));
    assertEquals(403, stale.status());
    assertEquals("1", stale.headers().get("Producer-Epoch"));
    TandemError badEpochStart = assertThrows(TandemError.class,
        () -> AppendPlanner.plan(s, append(new Producer("p", 2, 3), null, false, "z")));
    assertEquals(400, badEpochStart.status());
  }

  @Test
  void streamSeqMustIncreaseLexicographically() {
    LockedStream s = stream();
    AppendPlanner.plan(s, append(null, "09", false, "1"));
    AppendPlanner.plan(s, append(null, "10", false, "2"));
    assertEquals("stream_seq_conflict",
        assertThrows(TandemError.class, () -> AppendPlanner.plan(s, append(null, "10", false, "3"))).code());
    assertEquals("stream_seq_conflict",
        assertThrows(TandemError.class, () -> AppendPlanner.plan(s, append(null, "1", false, "3"))).code());
    AppendPlanner.plan(s, append(null, "2", false, "4")); // "2" sorts after "10": bytes, not numbers
  }

  @Test
  void closingIsFinalButIdempotent() {
    LockedStream s = stream();
    AppendAck closing = AppendPlanner.plan(s, append(new Producer("p", 0, 0), null, true, "last"));
    assertTrue(closing.closed());
    assertTrue(AppendPlanner.plan(s, append(new Producer("p", 0, 0), null, true, "other")).duplicate());
    TandemError late = assertThrows(TandemError.class, () -> AppendPlanner.plan(s, append(null, null, false, "x")));
    assertEquals("stream_closed", late.code());
    assertEquals(Offsets.format(11), late.headers().get("Stream-Next-Offset"));
    AppendAck closeAgain = AppendPlanner.plan(s, new AppendRequest("s", null, List.of(), true, null, null));
    assertTrue(closeAgain.closed());
    assertFalse(closeAgain.duplicate());
  }

  @Test
  void contentTypeMustMatch() {
    LockedStream s = stream();
    AppendRequest text = new AppendRequest("s", "text/plain", List.of(Buffer.buffer("x")), false, null, null);
    assertEquals("content_type_mismatch", assertThrows(TandemError.class, () -> AppendPlanner.plan(s, text)).code());
  }

  @Test
  void missingExpiredAndDeletedStreams() {
    assertEquals(404, assertThrows(TandemError.class, () -> AppendPlanner.plan(null, append(null, null, false, "1"))).status());
    LockedStream deleted = new LockedStream(1, "s", "application/json", false, true, false, 0, null, null, null, null);
    assertEquals(410, assertThrows(TandemError.class, () -> AppendPlanner.plan(deleted, append(null, null, false, "1"))).status());
    LockedStream expired = new LockedStream(1, "s", "application/json", false, false, true, 0, null, null, null, null);
    assertEquals(404, assertThrows(TandemError.class, () -> AppendPlanner.plan(expired, append(null, null, false, "1"))).status());
  }
}
