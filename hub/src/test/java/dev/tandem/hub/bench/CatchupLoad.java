package dev.tandem.hub.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code catchup}: a stream holding {@code events} stored events is replayed from the beginning
 * by one reader, over HTTP (following {@code Stream-Next-Offset}) and over WebSocket
 * ({@code "from": "beginning"}). The figure is events per second until the reader is up to date.
 */
final class CatchupLoad {

  private static final JsonFactory JSON = new JsonFactory();
  private static final int BATCH = 1000;

  private final Vertx vertx;
  private final Target target;

  CatchupLoad(Vertx vertx, Target target) {
    this.vertx = vertx;
    this.target = target;
  }

  List<Measurement> run(String stream, int events) throws Exception {
    HttpClient client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true))
        .with(new PoolOptions().setHttp1MaxSize(4))
        .build();
    try {
      Target.await(target.createStreams(client, List.of(stream), 1), Duration.ofMinutes(1));
      seed(client, stream, events);
      Measurement http = readOverHttp(client, stream, events);
      Measurement ws = readOverWebSocket(stream, events);
      return List.of(http, ws);
    } finally {
      client.close();
    }
  }

  /** Stores the events in JSON-array appends of 1,000, four requests at a time. */
  private void seed(HttpClient client, String stream, int events) throws Exception {
    int batches = (events + BATCH - 1) / BATCH;
    AtomicLong next = new AtomicLong();
    Promise<Void> done = Promise.promise();
    AtomicLong running = new AtomicLong(Math.min(4, batches));
    long start = System.nanoTime();
    for (int i = 0; i < Math.min(4, batches); i++) {
      seedNext(client, stream, events, batches, next, running, done);
    }
    Target.await(done.future(), Duration.ofMinutes(30));
    Bench.progress("  stored %,d events in %.1f s", events, (System.nanoTime() - start) / 1e9);
  }

  private void seedNext(HttpClient client, String stream, int events, int batches, AtomicLong next,
                        AtomicLong running, Promise<Void> done) {
    long i = next.getAndIncrement();
    if (i >= batches) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    int size = (int) Math.min(BATCH, events - i * BATCH);
    RequestOptions post = target.request(HttpMethod.POST, target.streamUri(stream))
        .putHeader("Content-Type", "application/json");
    target.send(client, post, Payloads.batch(size, System.nanoTime())).onComplete(result -> {
      if (result.failed()) {
        done.tryFail(result.cause());
        return;
      }
      if ((i + 1) % Math.max(1, batches / 10) == 0) {
        Bench.progress("  seeding: %,d of %,d events", (i + 1) * BATCH, events);
      }
      seedNext(client, stream, events, batches, next, running, done);
    });
  }

  private Measurement readOverHttp(HttpClient client, String stream, int events) throws Exception {
    long start = System.nanoTime();
    long read = Target.await(readFrom(client, stream, "-1", 0, 0), Duration.ofMinutes(30));
    double seconds = (System.nanoTime() - start) / 1e9;
    return catchup("catchup http", read, events, seconds);
  }

  /** Reads chunk after chunk until the hub says the reader is up to date. */
  private Future<Long> readFrom(HttpClient client, String stream, String offset, long read, int requests) {
    String uri = target.streamUri(stream) + "?offset=" + URLEncoder.encode(offset, StandardCharsets.UTF_8);
    return target.send(client, target.request(HttpMethod.GET, uri), null).compose(response ->
        response.body().compose(body -> {
          long total = read + countEvents(body);
          String next = response.getHeader("Stream-Next-Offset");
          if ("true".equals(response.getHeader("Stream-Up-To-Date")) || next == null || next.equals(offset)) {
            return Future.succeededFuture(total);
          }
          return readFrom(client, stream, next, total, requests + 1);
        }));
  }

  private Measurement readOverWebSocket(String stream, int events) throws Exception {
    WsSockets sockets = new WsSockets(vertx, target, 1);
    try {
      Promise<Long> caughtUp = Promise.promise();
      long[] seen = {0};
      long start = System.nanoTime();
      Target.await(sockets.open("bench-catchup", socket -> {
        socket.textMessageHandler(null);
        socket.handler(frame -> {
          seen[0] += Payloads.scanTimestamps(frame, sent -> {});
          if (seen[0] >= events) {
            caughtUp.tryComplete(seen[0]);
          }
        });
        socket.writeTextMessage("{\"type\":\"subscribe\",\"id\":1,\"stream\":\"" + stream + "\",\"from\":\"beginning\"}");
        return Future.succeededFuture();
      }), Duration.ofMinutes(1));
      long read = Target.await(caughtUp.future(), Duration.ofMinutes(30));
      return catchup("catchup websocket", read, events, (System.nanoTime() - start) / 1e9);
    } finally {
      sockets.close();
    }
  }

  private Measurement catchup(String scenario, long read, int events, double seconds) {
    if (read != events) {
      throw new IllegalStateException(scenario + " read " + read + " events, the stream holds " + events);
    }
    return new Measurement(scenario, target.system(), "events/s", read / seconds, null,
        new java.util.LinkedHashMap<>()).with("events", read).with("seconds", seconds);
  }

  /** Top-level elements of a JSON array body, counted without building them. */
  private static long countEvents(Buffer body) {
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        return 0;
      }
      long count = 0;
      while (parser.nextToken() == JsonToken.START_OBJECT) {
        parser.skipChildren();
        count++;
      }
      return count;
    } catch (IOException e) {
      throw new IllegalStateException("unreadable read body: " + e.getMessage(), e);
    }
  }
}
