package dev.tandem.hub.ws;

import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.ReadChunk;
import dev.tandem.hub.stream.StreamReader;
import dev.tandem.hub.stream.StreamRecord;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Context;
import java.util.ArrayDeque;

/**
 * One stream subscription of one connection: catch-up then live, exactly once and in order.
 *
 * <p>The steps, in the order they run:
 * <ol>
 *   <li>{@link #start}: register with {@link FanOut} first, so every later commit reaches us;
 *   <li>{@link #readHistory}: read pages from Postgres from {@code next}, sending each; while
 *       this runs, live batches are only buffered;
 *   <li>{@link #mergeBuffered}: once a page reaches the tail, replay the buffered batches,
 *       dropping what was already read (by offset) and re-reading on a gap;
 *   <li>{@link #onLive}: deliver each new batch from memory if it starts exactly at
 *       {@code next}; anything else (a gap, a full send queue) goes back to step 2.
 * </ol>
 * All of it runs on the connection's event loop, so no step races another.
 *
 * <p>Where retention deleted the records at {@code next}, history begins at the first retained
 * record: {@code events} frames carry their offsets, so the client sees the skip.
 */
final class Subscription {

  private enum State { CATCHING_UP, LIVE, ENDED }

  /** Buffered live batches beyond this are dropped; history re-reads them from Postgres. */
  private static final int MAX_BUFFERED = 256;

  private final WsConnection connection;
  private final StreamStore store;
  private final StreamReader reader;
  private final FanOut fanOut;
  private final String path;
  private final long streamId;
  private final String contentType;
  private final ArrayDeque<LiveBatch> buffered = new ArrayDeque<>();
  private State state = State.CATCHING_UP;
  private boolean reading;
  private long next;

  Subscription(WsConnection connection, StreamStore store, StreamReader reader, FanOut fanOut,
               StreamRecord stream) {
    this.connection = connection;
    this.store = store;
    this.reader = reader;
    this.fanOut = fanOut;
    this.path = stream.path();
    this.streamId = stream.id();
    this.contentType = stream.contentType();
  }

  long streamId() {
    return streamId;
  }

  Context context() {
    return connection.context();
  }

  WsConnection connection() {
    return connection;
  }

  String path() {
    return path;
  }

  void start(long from) {
    next = from;
    fanOut.register(this);
    readHistory();
  }

  /** Step 2: pages from Postgres until the tail, within the connection's send queue and the hub's budget. */
  private void readHistory() {
    if (state == State.ENDED || reading) {
      return;
    }
    state = State.CATCHING_UP;
    if (connection.sendQueueFull()) {
      connection.whenDrained(this);
      return;
    }
    if (!connection.reservePage(this)) {
      return; // the hub holds all it may for slow readers: resumed when it holds less
    }
    reading = true;
    store.find(path)
        .compose(stream -> reader.read(stream, next, StreamReader.Start.FIRST_RETAINED)
            .map(chunk -> new Page(stream, chunk)))
        .onComplete(result -> {
          reading = false;
          connection.releasePage(); // what the page holds is counted as written from here on
          if (state == State.ENDED) {
            return;
          }
          if (result.failed()) {
            onReadFailure(result.cause());
            return;
          }
          ReadChunk chunk = result.result().chunk();
          if (!chunk.isEmpty()) {
            connection.send(Frames.events(path, contentType, chunk.fromSeq(), chunk.records(), chunk.stamps(), 0));
          }
          next = chunk.nextSeq(); // also past records retention deleted, when there is nothing after them
          if (!chunk.upToDate()) {
            readHistory();
          } else {
            mergeBuffered(result.result().stream().closed());
          }
        });
  }

  private record Page(StreamRecord stream, ReadChunk chunk) {}

  /** Step 3: replay what arrived live during catch-up, then go live. */
  private void mergeBuffered(boolean closedAtRead) {
    while (!buffered.isEmpty()) {
      LiveBatch live = buffered.poll();
      if (live.batch().firstSeq() > next) {
        buffered.clear();
        readHistory(); // a gap: those records are in Postgres by now
        return;
      }
      deliver(live);
      if (state == State.ENDED) {
        return;
      }
    }
    state = State.LIVE;
    if (closedAtRead) {
      end(Frames.streamEnded("stream.closed", path, next));
    }
  }

  /** Step 4: a batch committed on this stream (on this connection's loop). */
  void onLive(LiveBatch live) {
    CommittedBatch batch = live.batch();
    switch (state) {
      case ENDED -> { }
      case CATCHING_UP -> {
        if (buffered.size() < MAX_BUFFERED) {
          buffered.add(live);
        } else {
          buffered.clear(); // too far behind to buffer: history catches up from Postgres
        }
      }
      case LIVE -> {
        if (batch.firstSeq() > next) {
          readHistory(); // a gap: those records are in Postgres
        } else if (connection.sendQueueFull() && batch.nextSeq() > next) {
          connection.hub().slowConsumerSwitched();
          readHistory(); // too slow for live delivery: catch up from Postgres when the queue drains
        } else {
          deliver(live);
        }
      }
    }
  }

  /**
   * Sends the part of the batch after {@code next}, in the frame shared with every subscriber
   * that needs the same part.
   */
  private void deliver(LiveBatch live) {
    CommittedBatch batch = live.batch();
    if (batch.nextSeq() > next) {
      connection.send(live.frame((int) (next - batch.firstSeq())));
      next = batch.nextSeq();
    }
    if (batch.closed() && batch.nextSeq() == next) {
      end(Frames.streamEnded("stream.closed", path, next));
    }
  }

  /** The connection's send queue has room again. */
  void resume() {
    readHistory();
  }

  void onDeleted() {
    end(Frames.streamEnded("stream.deleted", path, -1));
  }

  private void onReadFailure(Throwable failure) {
    connection.subscriptionFailed(this, failure);
  }

  /** Ends the subscription after telling the client why. */
  private void end(String frame) {
    if (state != State.ENDED) {
      connection.send(frame);
      cancel();
      connection.forget(this);
    }
  }

  /** Stops delivery (unsubscribe, disconnect). */
  void cancel() {
    state = State.ENDED;
    buffered.clear();
    fanOut.unregister(this);
  }
}
