package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.Eventually;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A WebSocket switched to direct writes, over real sockets: the switch works on this Vert.x
 * version (an upgrade that moves its internals fails here), and the socket still reports a full
 * queue to a slow reader, drains, and delivers everything in order.
 */
@ExtendWith(VertxExtension.class)
class DirectWritesTest {

  private static final int FRAME_BYTES = 16 * 1024;
  private static final int MAX_FRAMES = 8 * 1024; // 128 MiB: far more than the sockets buffer

  private record Accepted(ServerWebSocket socket, Context context, boolean switched) {
  }

  @Test
  void aSwitchedSocketStillPushesBackAndDeliversInOrder(Vertx vertx) throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setStrictThreadMode(true))
        .requestHandler(request -> request.toWebSocket().onSuccess(socket ->
            accepted.complete(new Accepted(socket, vertx.getOrCreateContext(), DirectWrites.install(socket)))))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      AtomicInteger received = new AtomicInteger();
      AtomicReference<String> outOfOrder = new AtomicReference<>();
      WebSocket reader = client.connect(new WebSocketConnectOptions()
              .setHost("127.0.0.1").setPort(server.actualPort()).setURI("/"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      reader.binaryMessageHandler(frame -> {
        int expected = received.getAndIncrement();
        if (frame.getInt(0) != expected) {
          outOfOrder.compareAndSet(null, "frame " + frame.getInt(0) + " came in place " + expected);
        }
      });
      reader.pause();
      Accepted serverSide = accepted.get(10, TimeUnit.SECONDS);
      assertTrue(serverSide.switched(), "Vert.x's internals are as DirectWrites expects");

      // Write until the socket says its queue is full: the reader reads nothing, so that must come.
      CompletableFuture<Integer> written = new CompletableFuture<>();
      CompletableFuture<Void> drained = new CompletableFuture<>();
      serverSide.context().runOnContext(v -> {
        ServerWebSocket socket = serverSide.socket();
        int frames = 0;
        while (!socket.writeQueueFull() && frames < MAX_FRAMES) {
          Buffer frame = Buffer.buffer(new byte[FRAME_BYTES]);
          frame.setInt(0, frames++);
          socket.writeBinaryMessage(frame);
        }
        socket.drainHandler(d -> drained.complete(null));
        written.complete(socket.writeQueueFull() ? frames : -1);
      });
      int frames = written.get(30, TimeUnit.SECONDS);
      assertTrue(frames > 0, "the socket reported a full queue to a reader that reads nothing");

      reader.resume();
      drained.get(30, TimeUnit.SECONDS);
      Eventually.await(() -> received.get() >= frames, 30_000, "the reader gets every frame");
      assertEquals(frames, received.get());
      assertNull(outOfOrder.get());
    } finally {
      client.close();
      server.close();
    }
  }
}
