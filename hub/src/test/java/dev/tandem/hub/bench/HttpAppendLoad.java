package dev.tandem.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;

/**
 * {@code append} over HTTP: {@code producers} writers, each on its own keep-alive connection,
 * each appending one ~100-byte event, waiting for the acknowledgement, and appending the next.
 * Writers take the streams in turn. The figures are acknowledged events per second and the
 * acknowledgement latency.
 */
final class HttpAppendLoad {

  private final Vertx vertx;
  private final Target target;
  private final List<String> streams;
  private final Latencies latencies = new Latencies();
  private int producers;
  private volatile boolean stopped;

  HttpAppendLoad(Vertx vertx, Target target, List<String> streams) {
    this.vertx = vertx;
    this.target = target;
    this.streams = streams;
  }

  Measurement run(String scenario, int producers, Duration warmup, Duration duration) throws Exception {
    this.producers = producers;
    HttpClient client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setPipelining(false))
        .with(new PoolOptions().setHttp1MaxSize(producers))
        .build();
    try {
      Target.await(target.createStreams(client, streams, 32), Duration.ofMinutes(5));
      for (int i = 0; i < producers; i++) {
        int producer = i;
        vertx.runOnContext(v -> append(client, producer, producer));
      }
      Latencies.Window window = latencies.measure(warmup, duration);
      return Measurement.of(scenario, target.system(), "events/s", window)
          .with("producers", producers).with("streams", streams.size());
    } finally {
      stopped = true;
      client.close();
    }
  }

  private void append(HttpClient client, int producer, long turn) {
    if (stopped) {
      return;
    }
    String stream = streams.get((int) (turn % streams.size()));
    long start = System.nanoTime();
    RequestOptions post = target.request(HttpMethod.POST, target.streamUri(stream))
        .putHeader("Content-Type", "application/json");
    target.send(client, post, Payloads.eventBuffer(start)).onComplete(result -> {
      if (result.succeeded()) {
        latencies.record(System.nanoTime() - start);
      } else if (!stopped) {
        latencies.error(result.cause().toString());
      }
      append(client, producer, turn + producers);
    });
  }
}
