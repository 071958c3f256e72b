package dev.tandem.hub.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Opens many WebSocket connections to Tandem, each past {@code hello}, a bounded number at a
 * time, spread over the harness's event loops so that reading them takes every core the
 * harness can have rather than one.
 */
final class WsSockets {

  private final WebSocketClient client;
  private final Target target;
  private final List<Context> loops = new ArrayList<>();
  private final AtomicInteger nextLoop = new AtomicInteger();

  WsSockets(Vertx vertx, Target target, int maxConnections) {
    this.target = target;
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      loops.add(((VertxInternal) vertx).createEventLoopContext());
    }
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(maxConnections)
        .setMaxFrameSize(16 * 1024 * 1024)
        .setMaxMessageSize(64 * 1024 * 1024));
  }

  /** One connection, welcomed; {@code afterWelcome} may send more and complete when ready. */
  Future<WebSocket> open(String participant, Function<WebSocket, Future<Void>> afterWelcome) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(target.host()).setPort(target.port()).setURI("/v1/ws");
    Context loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    Promise<WebSocket> connected = Promise.promise();
    loop.runOnContext(v -> client.connect(options).onComplete(connected)); // the socket lives on the caller's loop
    return connected.future().compose(socket -> {
      Promise<Void> welcomed = Promise.promise();
      socket.textMessageHandler(text -> {
        if (text.contains("\"welcome\"")) {
          welcomed.tryComplete();
        } else {
          welcomed.tryFail("hello refused: " + text);
        }
      });
      JsonObject hello = new JsonObject().put("type", "hello").put("v", 1).put("id", 0)
          .put("participant", participant).put("kind", "agent");
      if (target.token() != null) {
        hello.put("token", target.token());
      }
      socket.writeTextMessage(hello.encode());
      return welcomed.future().compose(v -> afterWelcome.apply(socket)).map(socket);
    });
  }

  /**
   * Opens {@code count} connections, at most {@code parallel} handshakes in flight, calling
   * {@code progress} now and then with how many are open.
   */
  Future<List<WebSocket>> openMany(int count, int parallel, Function<WebSocket, Future<Void>> afterWelcome,
                                   java.util.function.IntConsumer progress) {
    List<WebSocket> open = new ArrayList<>(count);
    Promise<List<WebSocket>> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(Math.min(parallel, count));
    if (count == 0) {
      return Future.succeededFuture(open);
    }
    for (int i = 0; i < Math.min(parallel, count); i++) {
      openNext(count, afterWelcome, progress, open, done, next, running);
    }
    return done.future();
  }

  private void openNext(int count, Function<WebSocket, Future<Void>> afterWelcome,
                        java.util.function.IntConsumer progress, List<WebSocket> open,
                        Promise<List<WebSocket>> done, AtomicInteger next, AtomicInteger running) {
    int i = next.getAndIncrement();
    if (i >= count) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete(open);
      }
      return;
    }
    open("bench-" + i, afterWelcome).onComplete(result -> {
      if (result.failed()) {
        done.tryFail(result.cause());
        return;
      }
      int opened;
      synchronized (open) {
        open.add(result.result());
        opened = open.size();
      }
      if (opened % 1000 == 0) {
        progress.accept(opened);
      }
      openNext(count, afterWelcome, progress, open, done, next, running);
    });
  }

  /** Subscribes from {@code from} and completes when the hub confirms. */
  static Future<Void> subscribe(WebSocket socket, String stream, String from) {
    Promise<Void> subscribed = Promise.promise();
    socket.textMessageHandler(text -> {
      if (text.contains("\"subscribed\"")) {
        subscribed.tryComplete();
      } else if (text.contains("\"error\"")) {
        subscribed.tryFail("subscribe refused: " + text);
      }
    });
    socket.writeTextMessage(new JsonObject().put("type", "subscribe").put("id", 1)
        .put("stream", stream).put("from", from).encode());
    return subscribed.future();
  }

  Future<Void> close() {
    return client.close();
  }
}
