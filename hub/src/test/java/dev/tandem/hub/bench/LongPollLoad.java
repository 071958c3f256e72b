package dev.tandem.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The protocol's live read over plain HTTP: {@code readers} long-poll readers follow one stream
 * from its tail ({@code offset=…&live=long-poll}, then the returned {@code Stream-Next-Offset})
 * while a writer appends at a fixed rate. The figures are deliveries per second over all readers
 * and append→deliver latency. Runs unchanged against Tandem and the reference server.
 */
final class LongPollLoad {

  private final Vertx vertx;
  private final Target target;
  private final Latencies latencies = new Latencies();
  private volatile boolean stopped;

  LongPollLoad(Vertx vertx, Target target) {
    this.vertx = vertx;
    this.target = target;
  }

  Measurement run(String stream, int readers, int rate, Duration warmup, Duration duration) throws Exception {
    HttpClient client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0))
        .with(new PoolOptions().setHttp1MaxSize(readers + 1))
        .build();
    try {
      Target.await(target.createStreams(client, List.of(stream), 1), Duration.ofMinutes(1));
      String tail = Target.await(target.send(client, target.request(HttpMethod.HEAD, target.streamUri(stream)), null)
          .map(response -> response.getHeader("Stream-Next-Offset")), Duration.ofMinutes(1));
      for (int i = 0; i < readers; i++) {
        vertx.runOnContext(v -> poll(client, stream, tail));
      }
      try (Writers writer = new Writers(target, stream)) {
        writer.paced(rate);
        return Measurement.of("long-poll " + readers + " readers @ " + rate + " ev/s", target.system(),
            "deliveries/s", latencies.measure(warmup, duration)).with("readers", readers).with("rate", rate);
      }
    } finally {
      stopped = true;
      client.close();
    }
  }

  private void poll(HttpClient client, String stream, String offset) {
    if (stopped) {
      return;
    }
    String uri = target.streamUri(stream) + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8)
        + "&live=long-poll";
    RequestOptions get = target.request(HttpMethod.GET, uri);
    client.request(get).compose(request -> request.send()).compose(response ->
        response.body().map(body -> {
          long now = System.nanoTime();
          if (response.statusCode() == 200) {
            Payloads.scanTimestamps(body, sent -> latencies.record(now - sent));
          } else if (response.statusCode() != 204) {
            latencies.error("answered " + response.statusCode() + ": " + body);
          }
          String next = response.getHeader("Stream-Next-Offset");
          return next == null ? offset : next;
        })).onComplete(result -> {
          if (result.failed() && !stopped) {
            latencies.error(result.cause().toString());
          }
          poll(client, stream, result.succeeded() ? result.result() : offset);
        });
  }
}
