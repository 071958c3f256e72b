package dev.tandem.hub.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A live participant on one WebSocket that subscribes to several streams and, whenever its
 * connection drops (the hub was killed), reconnects and resumes:
 * <ul>
 *   <li>{@link Resume#OFFSET}: subscribes again from the {@code next} offset it had reached.
 *       Every event must arrive exactly once, in offset order, with consecutive offsets.
 *   <li>{@link Resume#CURSOR}: acknowledges each {@code events} frame and subscribes again with
 *       {@code "from": "cursor"}. The cursor the hub resumes from must be at or after the last
 *       acknowledgement it confirmed ({@code acked}) and at or before the last one sent; events
 *       between it and what the participant had already seen are delivered again (cursors are
 *       at-least-once by design) and must be identical to the first delivery.
 * </ul>
 * All its state changes on one Vert.x context; the test thread reads it through synchronized
 * snapshots.
 */
final class WsSubscriber {

  enum Resume { OFFSET, CURSOR }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FAILED_CONNECTS = 200;

  /** What this participant knows about one stream. */
  private static final class StreamState {
    final List<String> received = new ArrayList<>();
    long expected;
    long confirmedAck;
    long sentAck;
  }

  final String name;
  final Resume resume;
  private final HubProcess hub;
  private final String token;
  private final List<String> problems;
  private final Context context;
  private final WebSocketClient client;
  private final Map<String, StreamState> streams = new LinkedHashMap<>();
  private WebSocket socket;
  private int connections;
  private int failedConnects;
  private int replays;
  private int mismatches;
  private int nextId = 1;

  WsSubscriber(String name, Resume resume, Vertx vertx, HubProcess hub, String token, List<String> streamPaths,
               List<String> problems) {
    this.name = name;
    this.resume = resume;
    this.hub = hub;
    this.token = token;
    this.problems = problems;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024));
    streamPaths.forEach(path -> streams.put(path, new StreamState()));
  }

  void start() {
    connectWhenUp();
  }

  private void connectWhenUp() {
    hub.up().thenAccept(base -> context.runOnContext(v -> connect(base)));
  }

  private synchronized void connect(String base) {
    URI uri = URI.create(base);
    client.connect(new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort()).setURI("/v1/ws"))
        .onSuccess(this::opened)
        .onFailure(failure -> {
          synchronized (this) {
            if (++failedConnects > MAX_FAILED_CONNECTS) {
              problem("could not connect " + failedConnects + " times in a row: " + failure);
              return;
            }
          }
          hub.up().thenAccept(next -> {
            if (next.equals(base)) {
              context.runOnContext(v -> context.owner().setTimer(200, t -> connectWhenUp())); // the hub is up but refused
            } else {
              context.runOnContext(v -> connect(next));
            }
          });
        });
  }

  private synchronized void opened(WebSocket ws) {
    socket = ws;
    connections++;
    failedConnects = 0;
    ws.textMessageHandler(this::onFrame);
    ws.closeHandler(v -> closed(ws));
    send(JSON.createObjectNode().put("type", "hello").put("v", 1).put("kind", "human").put("token", token));
  }

  private void closed(WebSocket ws) {
    synchronized (this) {
      if (socket != ws) {
        return;
      }
      socket = null;
    }
    connectWhenUp();
  }

  private synchronized void onFrame(String text) {
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (Exception e) {
      problem("unreadable frame " + text);
      return;
    }
    String type = frame.path("type").asText();
    StreamState state = streams.get(frame.path("stream").asText());
    switch (type) {
      case "welcome" -> streams.keySet().forEach(this::subscribe);
      case "subscribed" -> subscribed(frame.path("stream").asText(), state, Offsets.parse(frame.get("from").asText()));
      case "events" -> events(frame, state);
      case "acked" -> state.confirmedAck = Math.max(state.confirmedAck, Offsets.parse(frame.get("cursor").asText()));
      case "stream.error" -> subscribe(frame.path("stream").asText()); // the database hiccuped: resume the stream
      case "presence", "pong" -> { }
      default -> problem("unexpected frame " + text);
    }
  }

  private void subscribe(String path) {
    String from = resume == Resume.CURSOR ? "cursor" : Offsets.format(streams.get(path).received.size());
    send(JSON.createObjectNode().put("type", "subscribe").put("stream", path).put("from", from));
  }

  private void subscribed(String path, StreamState state, long from) {
    long seen = state.received.size();
    if (resume == Resume.OFFSET && from != seen) {
      problem(path + ": subscribed from " + from + ", asked for " + seen);
    } else if (resume == Resume.CURSOR && (from < state.confirmedAck || from > Math.max(state.sentAck, state.confirmedAck))) {
      problem(path + ": resumed from cursor " + from + ", but the last confirmed acknowledgement was "
          + state.confirmedAck + " and the last sent " + state.sentAck);
    } else if (from > seen) {
      problem(path + ": resumed at " + from + ", after a gap from " + seen);
    }
    state.expected = from;
  }

  private void events(JsonNode frame, StreamState state) {
    String path = frame.get("stream").asText();
    for (JsonNode event : frame.get("events")) {
      long offset = Offsets.parse(event.get("offset").asText());
      String data = event.get("data").toString();
      if (offset != state.expected) {
        problem(path + ": offset " + offset + " where " + state.expected + " was next");
      }
      if (offset < state.received.size()) {
        if (resume == Resume.OFFSET) {
          problem(path + ": offset " + offset + " delivered twice");
        } else if (!state.received.get((int) offset).equals(data)) {
          problem(path + ": offset " + offset + " delivered again with different data");
        } else {
          replays++;
        }
      } else if (offset == state.received.size()) {
        state.received.add(data);
      } else {
        problem(path + ": offset " + offset + " after " + state.received.size() + " (a gap)");
      }
      state.expected = offset + 1;
    }
    long next = Offsets.parse(frame.get("next").asText());
    if (next != state.expected) {
      problem(path + ": events frame says next " + next + " after offset " + (state.expected - 1));
    }
    if (resume == Resume.CURSOR) {
      state.sentAck = Math.max(state.sentAck, next);
      send(JSON.createObjectNode().put("type", "ack").put("stream", path).put("offset", Offsets.format(next)));
    }
  }

  private void send(ObjectNode frame) {
    if (socket != null) {
      frame.put("id", nextId++);
      socket.writeTextMessage(frame.toString());
    }
  }

  private void problem(String text) {
    mismatches++;
    problems.add(name + ": " + text);
  }

  synchronized List<String> received(String path) {
    return List.copyOf(streams.get(path).received);
  }

  synchronized int count(String path) {
    return streams.get(path).received.size();
  }

  synchronized int connections() {
    return connections;
  }

  synchronized int replays() {
    return replays;
  }

  synchronized int mismatches() {
    return mismatches;
  }

  /** Closes the connection for good. */
  void close() {
    context.runOnContext(v -> {
      WebSocket open;
      synchronized (this) {
        open = socket;
        socket = null;
      }
      if (open != null) {
        open.close();
      }
      client.close();
    });
  }
}
