package dev.tandem.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.List;

/**
 * {@code append} over WebSocket: {@code producers} connections, each sending one ~100-byte
 * event in an {@code append} frame, waiting for {@code appended}, and sending the next.
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

  Measurement run(String scenario, int producers, Duration warmup, Duration duration) throws Exception {
    HttpClient http = vertx.createHttpClient();
    WsSockets sockets = new WsSockets(vertx, target, producers);
    try {
      Target.await(target.createStreams(http, streams, 32), Duration.ofMinutes(5));
      List<WebSocket> open = Target.await(
          sockets.openMany(producers, 64, socket -> Future.succeededFuture(), n -> {}), Duration.ofMinutes(2));
      for (int i = 0; i < open.size(); i++) {
        new Producer(open.get(i), i, producers).next();
      }
      Latencies.Window window = latencies.measure(warmup, duration);
      return Measurement.of(scenario, target.system(), "events/s", window)
          .with("producers", producers).with("streams", streams.size());
    } finally {
      stopped = true;
      sockets.close();
      http.close();
    }
  }

  /** One connection's loop: one append frame in flight at a time. */
  private final class Producer {
    private final WebSocket socket;
    private final int step;
    private long turn;
    private long sentAt;
    private int id;

    Producer(WebSocket socket, int first, int step) {
      this.socket = socket;
      this.turn = first;
      this.step = step;
      socket.textMessageHandler(this::reply);
    }

    void next() {
      if (stopped) {
        return;
      }
      String stream = streams.get((int) (turn % streams.size()));
      turn += step;
      sentAt = System.nanoTime();
      socket.writeTextMessage("{\"type\":\"append\",\"id\":" + (++id) + ",\"stream\":\"" + stream
          + "\",\"events\":[" + Payloads.event(sentAt) + "]}");
    }

    private void reply(String text) {
      if (text.startsWith("{\"type\":\"appended\"") || text.contains("\"appended\"")) {
        latencies.record(System.nanoTime() - sentAt);
      } else if (text.contains("\"error\"")) {
        latencies.error();
      } else {
        return; // presence or heartbeat frames: not a reply
      }
      next();
    }
  }
}
