package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.Stamp;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FanOutMergeTest {

  @Test
  void consecutiveBatchesBecomeOneWithEveryRecordInOrder() {
    List<CommittedBatch> merged = FanOut.merge(List.of(batch(0, 2, false), batch(2, 1, false), batch(3, 3, false)));

    assertEquals(1, merged.size());
    CommittedBatch one = merged.get(0);
    assertEquals(0, one.firstSeq());
    assertEquals(6, one.nextSeq());
    assertEquals(List.of("r0", "r1", "r2", "r3", "r4", "r5"), one.records().stream().map(Buffer::toString).toList());
  }

  @Test
  void aGapStartsANewBatch() {
    List<CommittedBatch> merged = FanOut.merge(List.of(batch(0, 2, false), batch(5, 1, false), batch(6, 1, false)));

    assertEquals(List.of(0L, 5L), merged.stream().map(CommittedBatch::firstSeq).toList());
    assertEquals(7, merged.get(1).nextSeq());
  }

  @Test
  void nothingIsJoinedAfterAClose() {
    List<CommittedBatch> merged = FanOut.merge(List.of(batch(0, 1, false), batch(1, 1, true), batch(2, 1, false)));

    assertEquals(2, merged.size());
    assertTrue(merged.get(0).closed(), "the close is kept on the run it ended");
    assertEquals(2, merged.get(0).nextSeq());
    assertFalse(merged.get(1).closed());
  }

  @Test
  void aCloseOnlyBatchClosesTheRunItFollows() {
    List<CommittedBatch> merged = FanOut.merge(List.of(batch(0, 2, false), batch(2, 0, true)));

    assertEquals(1, merged.size());
    assertEquals(2, merged.get(0).nextSeq());
    assertTrue(merged.get(0).closed());
  }

  @Test
  void stampsStayWithTheirRecords() {
    Stamp stamp = Stamp.of("alice", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    CommittedBatch stamped = new CommittedBatch(7, "s", "application/json", 1, List.of(Buffer.buffer("r1")), false,
        List.of(stamp));
    List<CommittedBatch> merged = FanOut.merge(List.of(batch(0, 1, false), stamped, batch(2, 1, false)));

    assertEquals(1, merged.size());
    assertEquals(List.of(Stamp.NONE, stamp, Stamp.NONE), merged.get(0).stamps());
  }

  @Test
  void unstampedBatchesMergeWithoutStamps() {
    assertEquals(null, FanOut.merge(List.of(batch(0, 1, false), batch(1, 1, false))).get(0).stamps());
  }

  private static CommittedBatch batch(long first, int count, boolean closed) {
    List<Buffer> records = IntStream.range(0, count).mapToObj(i -> Buffer.buffer("r" + (first + i))).toList();
    return new CommittedBatch(7, "s", "application/json", first, records, closed);
  }
}
