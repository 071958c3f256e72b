package dev.tandem.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A server under test: Tandem or the reference server. Both speak the Durable Streams HTTP
 * protocol under {@code /v1/stream/}; only Tandem needs a token and speaks WebSocket.
 */
record Target(String system, String host, int port, String token) {

  String streamUri(String stream) {
    return "/v1/stream/" + stream;
  }

  RequestOptions request(HttpMethod method, String uri) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return options;
  }

  /** Sends one request; fails unless the status is 2xx. */
  Future<HttpClientResponse> send(HttpClient client, RequestOptions options, Buffer body) {
    return sendStamped(client, options, () -> body);
  }

  /**
   * As above, with the body made once a connection is free to carry the request, so a time
   * stamped into it is when the request went out, not when it joined the client's queue.
   */
  Future<HttpClientResponse> sendStamped(HttpClient client, RequestOptions options, Supplier<Buffer> body) {
    Future<io.vertx.core.http.HttpClientRequest> opened;
    try {
      opened = client.request(options);
    } catch (IllegalStateException closed) { // a load stopping: its client closed under a last callback
      return Future.failedFuture(closed);
    }
    return opened
        .compose(request -> {
          Buffer made = body.get();
          return made == null ? request.send() : request.send(made);
        })
        .compose(response -> response.body().compose(read -> response.statusCode() / 100 == 2
            ? Future.succeededFuture(response)
            : Future.failedFuture(options.getMethod() + " " + options.getURI() + " answered "
                + response.statusCode() + ": " + read.toString())));
  }

  /** Creates JSON streams, {@code parallel} requests at a time. */
  Future<Void> createStreams(HttpClient client, List<String> streams, int parallel) {
    Promise<Void> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(Math.min(parallel, streams.size()));
    if (streams.isEmpty()) {
      return Future.succeededFuture();
    }
    for (int i = 0; i < Math.min(parallel, streams.size()); i++) {
      createNext(client, streams, next, running, done);
    }
    return done.future();
  }

  private void createNext(HttpClient client, List<String> streams, AtomicInteger next,
                          AtomicInteger running, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= streams.size()) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    RequestOptions put = request(HttpMethod.PUT, streamUri(streams.get(i)))
        .putHeader("Content-Type", "application/json");
    send(client, put, null)
        .onSuccess(ok -> createNext(client, streams, next, running, done))
        .onFailure(done::tryFail);
  }

  /** Waits on the harness's own thread for a Vert.x future. */
  static <T> T await(Future<T> future, Duration timeout) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
