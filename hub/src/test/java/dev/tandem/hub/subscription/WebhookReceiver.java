package dev.tandem.hub.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A webhook receiver for tests: an HTTP server on 127.0.0.1 that queues every notification
 * and answers as told. A reply function returning null holds the answer until the test
 * calls {@link Notification#reply}.
 */
final class WebhookReceiver implements AutoCloseable {

  record Reply(int status, String body) {
    static Reply ok(String body) {
      return new Reply(200, body);
    }
  }

  /** One webhook request as received. */
  static final class Notification {
    final String raw;
    final JsonNode body;
    final String signature;
    private final HttpServerRequest request;
    private final Context context;

    Notification(String raw, JsonNode body, String signature, HttpServerRequest request, Context context) {
      this.raw = raw;
      this.body = body;
      this.signature = signature;
      this.request = request;
      this.context = context;
    }

    void reply(Reply reply) {
      context.runOnContext(v -> request.response().setStatusCode(reply.status())
          .putHeader("Content-Type", "application/json").end(reply.body()));
    }

    long generation() {
      return body.get("generation").asLong();
    }

    String wakeId() {
      return body.get("wake_id").asText();
    }

    String token() {
      return body.get("callback_token").asText();
    }

    /** The stream entry of the snapshot for {@code path}. */
    JsonNode stream(String path) {
      for (JsonNode stream : body.get("streams")) {
        if (stream.get("path").asText().equals(path)) {
          return stream;
        }
      }
      throw new AssertionError("no stream " + path + " in " + raw);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
  private final HttpServer server;
  private volatile Function<Notification, Reply> replies = n -> Reply.ok("{}");

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  static WebhookReceiver start(Vertx vertx) throws Exception {
    WebhookReceiver[] self = new WebhookReceiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      Context context = Vertx.currentContext();
      request.body().onSuccess(buffer -> {
        String raw = buffer.toString(StandardCharsets.UTF_8);
        JsonNode body;
        try {
          body = JSON.readTree(raw);
        } catch (IOException e) {
          request.response().setStatusCode(400).end();
          return;
        }
        Notification notification = new Notification(raw, body, request.getHeader("Webhook-Signature"), request, context);
        Reply reply = self[0].replies.apply(notification);
        self[0].received.add(notification);
        if (reply != null) {
          notification.reply(reply);
        }
      });
    });
    self[0] = new WebhookReceiver(server);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return self[0];
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/hook";
  }

  void answer(Function<Notification, Reply> replies) {
    this.replies = replies;
  }

  /** The next notification; fails the test if none arrives within 15 seconds. */
  Notification next() throws InterruptedException {
    Notification notification = received.poll(15, TimeUnit.SECONDS);
    if (notification == null) {
      throw new AssertionError("no webhook notification arrived within 15 s");
    }
    return notification;
  }

  /** Every notification received and not yet taken, in arrival order. */
  java.util.List<Notification> drain() {
    java.util.List<Notification> all = new java.util.ArrayList<>();
    received.drainTo(all);
    return all;
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
