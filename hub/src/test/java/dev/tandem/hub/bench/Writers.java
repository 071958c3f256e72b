package dev.tandem.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The writers of the read-side scenarios: single-event HTTP appends to one stream, either paced
 * at a fixed rate or as fast as {@code parallel} closed loops go. Each event carries its send
 * time, which readers turn into append→deliver latency.
 *
 * <p>The writers run on an event loop of their own: on one shared with a thousand reading
 * sockets, an append would wait behind the reading, and the harness would measure itself.
 */
final class Writers implements AutoCloseable {

  private static final int MAX_IN_FLIGHT = 512;

  private final Vertx vertx;
  private final Target target;
  private final String stream;
  private final HttpClient client;
  private final AtomicInteger inFlight = new AtomicInteger();
  final LongAdder appended = new LongAdder();
  final LongAdder failed = new LongAdder();
  private volatile boolean stopped;
  private long timer = -1;

  Writers(Target target, String stream) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    this.target = target;
    this.stream = stream;
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true))
        .with(new PoolOptions().setHttp1MaxSize(64))
        .build();
  }

  /** Appends {@code perSecond} events a second, each in its own request, until closed. */
  void paced(int perSecond) {
    long start = System.nanoTime();
    long[] sent = {0};
    timer = vertx.setPeriodic(2, id -> {
      long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
      while (sent[0] < due && inFlight.get() < MAX_IN_FLIGHT && !stopped) {
        sent[0]++;
        appendOnce(false);
      }
    });
  }

  /** {@code parallel} closed loops appending one event at a time, until closed. */
  void saturate(int parallel) {
    for (int i = 0; i < parallel; i++) {
      vertx.runOnContext(v -> appendOnce(true));
    }
  }

  private void appendOnce(boolean again) {
    if (stopped) {
      return;
    }
    inFlight.incrementAndGet();
    RequestOptions post = target.request(HttpMethod.POST, target.streamUri(stream))
        .putHeader("Content-Type", "application/json");
    // Stamped when a connection takes the request: the wait for one of the writer's connections
    // is the load generator's, not the hub's.
    target.sendStamped(client, post, () -> Payloads.eventBuffer(System.nanoTime())).onComplete(result -> {
      inFlight.decrementAndGet();
      if (result.succeeded()) {
        appended.increment();
      } else {
        failed.increment();
      }
      if (again) {
        appendOnce(true);
      }
    });
  }

  @Override
  public void close() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    client.close().eventually(() -> vertx.close());
  }
}
