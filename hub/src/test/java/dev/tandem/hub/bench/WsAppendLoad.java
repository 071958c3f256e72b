package dev.tandem.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code append} over WebSocket: {@code producers} connections, each sending ~100-byte events,
 * one per {@code append} frame, with at most {@code window} frames awaiting their
 * {@code appended}; each reply lets the next frame go. A window of 1 waits for every
 * acknowledgement before the next append; a larger one is a producer that streams its events
 * and takes the acknowledgements as they come, as an agent writing tokens does.
 */
final class WsAppendLoad {

  private final Vertx vertx;
  private final Target target;
  private final List<String> streams;
  private final Latencies latencies = new Latencies();
  private volatile boolean stopped;

  WsAppendLoad(Vertx vertx, Target target, List<String> streams) {
    this.vertx = vertx;
    this.target = target;
    this.streams = streams;
  }

  Measurement run(String scenario, int producers, int window, Duration warmup, Duration duration) throws Exception {
    HttpClient http = vertx.createHttpClient();
    WsSockets sockets = new WsSockets(vertx, target, producers);
    try {
      Target.await(target.createStreams(http, streams, 32), Duration.ofMinutes(5));
      List<WebSocket> open = Target.await(
          sockets.openMany(producers, 64, socket -> Future.succeededFuture(), n -> {}), Duration.ofMinutes(2));
      for (int i = 0; i < open.size(); i++) {
        Producer producer = new Producer(open.get(i), i, producers);
        for (int w = 0; w < window; w++) {
          producer.next();
        }
      }
      Latencies.Window measured = latencies.measure(warmup, duration);
      return Measurement.of(scenario, target.system(), "events/s", measured)
          .with("producers", producers).with("window", window).with("streams", streams.size());
    } finally {
      stopped = true;
      sockets.close();
      http.close();
    }
  }

  /** One connection's loop: up to {@code window} append frames in flight. */
  private final class Producer {
    private final WebSocket socket;
    private final int step;
    /** When each frame in flight was sent, by id: replies to different streams can overtake. */
    private final Map<Integer, Long> sentAt = new HashMap<>();
    private long turn;
    private int id;

    Producer(WebSocket socket, int first, int step) {
      this.socket = socket;
      this.turn = first;
      this.step = step;
      socket.textMessageHandler(this::reply);
    }

    /** Called from the harness's thread at the start, then from the socket's event loop. */
    synchronized void next() {
      if (stopped) {
        return;
      }
      String stream = streams.get((int) (turn % streams.size()));
      turn += step;
      long now = System.nanoTime();
      int frame = ++id;
      sentAt.put(frame, now);
      socket.writeTextMessage("{\"type\":\"append\",\"id\":" + frame + ",\"stream\":\"" + stream
          + "\",\"events\":[" + Payloads.event(now) + "]}");
    }

    private synchronized void reply(String text) {
      if (text.startsWith("{\"type\":\"appended\"") || text.contains("\"appended\"")) {
        latencies.record(System.nanoTime() - sentAt.remove(re(text)));
      } else if (text.contains("\"error\"")) {
        sentAt.remove(re(text));
        latencies.error(text);
      } else {
        return; // presence or heartbeat frames: not a reply
      }
      next();
    }
  }

  /** The {@code re} of a reply (the id of the frame it answers), or -1 if it has none. */
  private static int re(String text) {
    int at = text.indexOf("\"re\":");
    if (at < 0) {
      return -1;
    }
    int start = at + 5;
    int end = start;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    return end > start ? Integer.parseInt(text, start, end, 10) : -1;
  }
}
