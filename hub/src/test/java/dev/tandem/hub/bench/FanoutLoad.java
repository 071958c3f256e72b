package dev.tandem.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.List;

/**
 * {@code fanout}: one stream, {@code subscribers} WebSocket subscribers on it, and a writer.
 * First paced at a fixed rate (the latency figure: append→deliver, from the timestamp in each
 * event), then as fast as the writer goes (the throughput figure: deliveries per second summed
 * over all subscribers).
 */
final class FanoutLoad {

  private final Vertx vertx;
  private final Target target;
  private final Latencies latencies = new Latencies();

  FanoutLoad(Vertx vertx, Target target) {
    this.vertx = vertx;
    this.target = target;
  }

  List<Measurement> run(String stream, int subscribers, int rate, int saturatingWriters,
                        Duration warmup, Duration duration) throws Exception {
    HttpClient http = vertx.createHttpClient();
    WsSockets sockets = new WsSockets(vertx, target, subscribers);
    try {
      Target.await(target.createStreams(http, List.of(stream), 1), Duration.ofMinutes(1));
      List<WebSocket> open = Target.await(sockets.openMany(subscribers, 256,
          socket -> WsSockets.subscribe(socket, stream, "now"),
          n -> Bench.progress("  %,d of %,d subscribers connected", n, subscribers)), Duration.ofMinutes(10));
      for (WebSocket socket : open) {
        socket.textMessageHandler(null);
        socket.handler(frame -> { // raw bytes: decoding every frame to a String would load the harness, not the hub
          long now = System.nanoTime();
          Payloads.scanTimestamps(frame, sent -> latencies.record(now - sent));
        });
      }
      String name = "fanout " + subscribers + " subscribers";
      Measurement paced;
      try (Writers writer = new Writers(target, stream)) {
        writer.paced(rate);
        paced = Measurement.of(name + " @ " + rate + " ev/s", target.system(), "deliveries/s",
            latencies.measure(warmup, duration));
      }
      Measurement saturated;
      try (Writers writer = new Writers(target, stream)) {
        writer.saturate(saturatingWriters);
        Latencies.Window window = latencies.measure(warmup, duration);
        saturated = Measurement.of(name + " saturated", target.system(), "deliveries/s", window)
            .with("appendsPerSecond", writer.appended.sum() / (window.seconds() + warmup.toMillis() / 1000.0));
      }
      return List.of(paced.with("subscribers", subscribers).with("rate", rate),
          saturated.with("subscribers", subscribers).with("writers", saturatingWriters));
    } finally {
      sockets.close();
      http.close();
    }
  }
}
