package dev.tandem.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import java.time.Duration;
import java.util.List;

/**
 * {@code idle}: {@code connections} WebSocket connections, each welcomed and subscribed to one
 * quiet stream, then left alone. The figures are the hub's live heap (after a full GC) and its
 * resident memory, per connection, against the same readings before connecting.
 */
final class IdleLoad {

  private final Vertx vertx;
  private final Target target;
  private final HubProcess hub;
  private final java.nio.file.Path histogram;

  /** {@code histogram}: where the hub's heap histogram with all connections open is written. */
  IdleLoad(Vertx vertx, Target target, HubProcess hub, java.nio.file.Path histogram) {
    this.vertx = vertx;
    this.target = target;
    this.hub = hub;
    this.histogram = histogram;
  }

  Measurement run(String stream, int connections) throws Exception {
    HttpClient http = vertx.createHttpClient();
    WsSockets sockets = new WsSockets(vertx, target, connections);
    try {
      Target.await(target.createStreams(http, List.of(stream), 1), Duration.ofMinutes(1));
      HubProcess.Memory before = hub.memory();
      long start = System.nanoTime();
      List<WebSocket> open = Target.await(sockets.openMany(connections, 256,
          socket -> WsSockets.subscribe(socket, stream, "now"),
          n -> Bench.progress("  %,d of %,d connections open", n, connections)), Duration.ofMinutes(15));
      double seconds = (System.nanoTime() - start) / 1e9;
      HubProcess.Memory after = hub.memory();
      java.nio.file.Files.writeString(histogram, hub.classHistogram(40));
      double heapPer = (after.heapBytes() - before.heapBytes()) / (double) open.size();
      double rssPer = (after.rssBytes() - before.rssBytes()) / (double) open.size();
      return new Measurement("idle " + open.size() + " connections", target.system(), "connections/s",
          open.size() / seconds, null, new java.util.LinkedHashMap<>())
          .with("connections", open.size())
          .with("heapBytesPerConnection", Math.round(heapPer))
          .with("rssBytesPerConnection", Math.round(rssPer))
          .with("heapBytesBefore", before.heapBytes()).with("heapBytesAfter", after.heapBytes())
          .with("rssBytesBefore", before.rssBytes()).with("rssBytesAfter", after.rssBytes());
    } finally {
      sockets.close();
      http.close();
    }
  }
}
