package dev.tandem.hub.ws;

import dev.tandem.hub.stream.CommittedBatch;
import java.util.HashMap;
import java.util.Map;

/**
 * A committed batch on its way to the subscribers of one stream on one event loop, with its
 * {@code events} frames encoded once each: the whole batch for the subscribers that have none of
 * it, and on demand the part after the first {@code skip} records for those that caught up into
 * its middle, shared by all with the same {@code skip}. Used on that event loop only.
 */
final class LiveBatch {

  private final CommittedBatch batch;
  private final Map<Integer, SharedFrame> frames = new HashMap<>(2);

  LiveBatch(CommittedBatch batch) {
    this.batch = batch;
  }

  CommittedBatch batch() {
    return batch;
  }

  /** The frame of the records after the first {@code skip}; there must be some. */
  SharedFrame frame(int skip) {
    return frames.computeIfAbsent(skip, s -> SharedFrame.of(
        Frames.events(batch.path(), batch.contentType(), batch.firstSeq(), batch.records(), batch.stamps(), s)));
  }
}
