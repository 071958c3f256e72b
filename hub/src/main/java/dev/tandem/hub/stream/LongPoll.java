package dev.tandem.hub.stream;

import dev.tandem.hub.http.Responses;
import dev.tandem.hub.limits.OpenConnections;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * One long-poll read (PROTOCOL 5.7): answer at once when there is data at the offset or the
 * stream is closed there; otherwise wait for the stream to move, up to the timeout, then
 * answer 204 with the tail. The waiter is registered before the first read, so a commit
 * landing in between still wakes it. The poll holds one of its caller's connections
 * ({@code permit}) until it is answered or the client goes.
 */
final class LongPoll {

  interface DataResponder {
    void respond(HttpServerRequest request, StreamRecord stream, ReadChunk chunk, boolean live);
  }

  interface NoDataResponder {
    void respond(HttpServerRequest request, StreamRecord stream, long tail);
  }

  private final HttpServerRequest request;
  private final StreamStore store;
  private final StreamReader reader;
  private final String path;
  private final long from;
  private final StreamReader.Start start;
  private final OpenConnections.Permit permit;
  private final DataResponder onData;
  private final NoDataResponder onNoData;
  private LiveTail.Waiter waiter;
  private Vertx vertx;
  private long timer;
  private boolean busy;
  private boolean again;
  private boolean done;

  private LongPoll(HttpServerRequest request, StreamStore store, StreamReader reader, String path,
                   long from, StreamReader.Start start, OpenConnections.Permit permit,
                   DataResponder onData, NoDataResponder onNoData) {
    this.request = request;
    this.start = start;
    this.permit = permit;
    this.store = store;
    this.reader = reader;
    this.path = path;
    this.from = from;
    this.onData = onData;
    this.onNoData = onNoData;
  }

  static Future<Void> start(Vertx vertx, LiveTail liveTail, StreamStore store, StreamReader reader,
                            HttpServerRequest request, StreamRecord stream, long from, StreamReader.Start start,
                            OpenConnections.Permit permit, long timeoutMs,
                            DataResponder onData, NoDataResponder onNoData) {
    LongPoll poll = new LongPoll(request, store, reader, stream.path(), from, start, permit, onData, onNoData);
    poll.vertx = vertx;
    poll.waiter = liveTail.watch(stream.id(), vertx.getOrCreateContext(), v -> poll.attempt());
    poll.timer = vertx.setTimer(timeoutMs, id -> poll.timeout());
    request.response().closeHandler(v -> poll.finish());
    poll.attempt();
    return Future.succeededFuture();
  }

  private void attempt() {
    if (done) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    again = false;
    store.find(path).compose(stream -> reader.read(stream, from, start).map(chunk -> {
      if (done) {
        return null;
      }
      if (!chunk.isEmpty()) {
        finish();
        onData.respond(request, stream, chunk, true);
      } else if (stream.closed()) {
        finish();
        onNoData.respond(request, stream, chunk.nextSeq());
      }
      return null;
    })).onComplete(result -> {
      busy = false;
      if (result.failed()) {
        finish();
        Responses.error(request, result.cause());
      } else if (again) {
        attempt();
      }
    });
  }

  private void timeout() {
    if (done) {
      return;
    }
    finish();
    store.find(path)
        .onSuccess(stream -> onNoData.respond(request, stream, from))
        .onFailure(failure -> Responses.error(request, failure));
  }

  private void finish() {
    done = true;
    waiter.cancel();
    vertx.cancelTimer(timer);
    permit.release();
  }
}
