package dev.tandem.hub.stream;

import dev.tandem.hub.limits.OpenConnections;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One Server-Sent Events reader (PROTOCOL 5.8): catch-up from its offset in pages, then live.
 * Every {@code data} event is followed by a {@code control} event carrying the offset to resume
 * from. The session ends when the stream is closed and fully sent, when the client goes, or
 * after {@code sse-max-ms} so that proxies can collapse readers.
 *
 * <p>One pump at a time: a wake-up during a pump only marks that another pass is needed.
 * Each pass takes a fresh snapshot of the stream before reading, so "closed in the snapshot
 * and read to the end" really is the end.
 *
 * <p>The first pass reads as the request asked ({@code -1} from the first retained record);
 * every later pass continues exactly where the last event ended, so a reader that retention
 * overtakes is cut off rather than silently skipped ahead. The session holds one of its
 * caller's connections ({@code permit}) until it ends.
 */
final class SseSession {

  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final StreamStore store;
  private final StreamReader reader;
  private final CollapseCursor cursors;
  private final String path;
  private final boolean json;
  private final boolean base64;
  private final String clientCursor;
  private final OpenConnections.Permit permit;
  private StreamReader.Start start;

  private Vertx vertx;
  private LiveTail.Waiter waiter;
  private long timer = -1;
  private long offset;
  private boolean pumping;
  private boolean again;
  private boolean done;
  private boolean controlSent;

  SseSession(HttpServerRequest request, StreamRecord stream, long offset, StreamReader.Start start,
             StreamStore store, StreamReader reader, CollapseCursor cursors, OpenConnections.Permit permit) {
    this.request = request;
    this.start = start;
    this.permit = permit;
    this.response = request.response();
    this.store = store;
    this.reader = reader;
    this.cursors = cursors;
    this.path = stream.path();
    this.offset = offset;
    this.json = stream.isJson();
    this.base64 = !ContentTypes.isTextual(stream.contentType());
    this.clientCursor = request.getParam("cursor");
  }

  void start(Vertx vertx, LiveTail liveTail, long streamId, long maxMillis) {
    this.vertx = vertx;
    response.setStatusCode(200);
    response.setChunked(true);
    response.putHeader("Content-Type", "text/event-stream");
    response.putHeader("Cache-Control", "no-cache");
    response.putHeader("X-Accel-Buffering", "no");
    if (base64) {
      response.putHeader("Stream-SSE-Data-Encoding", "base64");
    }
    Context context = vertx.getOrCreateContext();
    waiter = liveTail.watch(streamId, context, v -> pump());
    timer = vertx.setTimer(maxMillis, id -> finish());
    response.closeHandler(v -> stop());
    pump();
  }

  private void pump() {
    if (done) {
      return;
    }
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    again = false;
    store.find(path)
        .compose(stream -> reader.read(stream, offset, start).map(chunk -> {
          start = StreamReader.Start.EXACT;
          send(stream, chunk);
          return chunk;
        }))
        .onComplete(result -> {
          pumping = false;
          if (result.failed()) {
            if (!response.headWritten()) {
              stop();
              dev.tandem.hub.http.Responses.error(request, result.cause()); // nothing sent yet: a real status
            } else {
              finish();
            }
          } else if (!done && (again || !result.result().upToDate())) {
            if (response.writeQueueFull()) {
              response.drainHandler(v -> pump());
            } else {
              pump();
            }
          }
        });
  }

  private void send(StreamRecord stream, ReadChunk chunk) {
    if (done) {
      return;
    }
    boolean closedAtEnd = stream.closed() && chunk.upToDate();
    if (!chunk.isEmpty() || !controlSent || closedAtEnd) {
      // A data event and its control event go out in one write: readers never see one alone.
      Buffer events = chunk.isEmpty() ? Buffer.buffer() : dataEvent(chunk);
      events.appendBuffer(controlEvent(chunk.nextSeq(), chunk.upToDate(), closedAtEnd));
      offset = chunk.nextSeq();
      response.write(events);
      controlSent = true;
    }
    if (closedAtEnd) {
      finish();
    }
  }

  private Buffer dataEvent(ReadChunk chunk) {
    Buffer body = chunk.body(json);
    String text = base64
        ? Base64.getEncoder().encodeToString(body.getBytes())
        : body.toString(StandardCharsets.UTF_8);
    StringBuilder event = new StringBuilder(text.length() + 32).append("event: data\n");
    int start = 0;
    int length = text.length();
    for (int i = 0; i <= length; i++) {
      char c = i < length ? text.charAt(i) : '\n';
      if (c == '\n' || c == '\r') {
        // Each line is its own data: field, so a payload can never end the event early. A
        // line starting with a space gets one more, because readers strip the first.
        event.append(i > start && text.charAt(start) == ' ' ? "data: " : "data:").append(text, start, i).append('\n');
        if (c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    return Buffer.buffer(event.append('\n').toString());
  }

  private Buffer controlEvent(long nextSeq, boolean upToDate, boolean closed) {
    StringBuilder control = new StringBuilder(128)
        .append("event: control\ndata:{\"streamNextOffset\":\"").append(Offsets.format(nextSeq)).append('"');
    if (closed) {
      control.append(",\"streamClosed\":true");
    } else {
      control.append(",\"streamCursor\":\"").append(cursors.next(clientCursor)).append('"');
    }
    if (upToDate) {
      control.append(",\"upToDate\":true");
    }
    return Buffer.buffer(control.append("}\n\n").toString());
  }

  private void finish() {
    if (!done) {
      stop();
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    }
  }

  private void stop() {
    done = true;
    permit.release();
    if (waiter != null) {
      waiter.cancel();
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
