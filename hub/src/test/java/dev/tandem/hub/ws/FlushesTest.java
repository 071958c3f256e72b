package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies written to a WebSocket in one turn of its event loop reach the socket with one flush;
 * fan-out frames, which do not defer, with one flush each; either way the reader gets every
 * frame, in order; and a close sends what is held first. Over real sockets, set up as the hub
 * sets up its own.
 */
@ExtendWith(VertxExtension.class)
class FlushesTest {

  private static final int FRAMES = 100;

  @Test
  void repliesWrittenInOneTurnGoOutWithOneFlush(Vertx vertx) throws Exception {
    assertEquals(1, flushesFor(vertx, true));
  }

  @Test
  void framesThatDoNotDeferAreFlushedEach(Vertx vertx) throws Exception {
    assertEquals(FRAMES, flushesFor(vertx, false));
  }

  /**
   * A close that reaches the gate while it holds a flush sends what it holds first. Vert.x turns
   * a close of its own into a closing handshake, after the held flush has gone; this one comes
   * from just above the gate, as one from anything between Vert.x and the socket would.
   */
  @Test
  void closingSendsWhatIsHeldFirst(Vertx vertx) throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    HttpServer server = server(vertx, accepted);
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocket reader = connect(client, server);
      CompletableFuture<String> last = new CompletableFuture<>();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      reader.textMessageHandler(last::complete);
      reader.closeHandler(v -> closed.complete(null));
      Accepted serverSide = accepted.get(10, TimeUnit.SECONDS);
      serverSide.context().runOnContext(v -> {
        ChannelPipeline pipeline = serverSide.channel().pipeline();
        pipeline.addAfter(pipeline.context(serverSide.flushes()).name(), "closer", new ChannelDuplexHandler());
        serverSide.flushes().defer();
        serverSide.socket().writeTextMessage("goodbye");
        pipeline.context("closer").close();
      });
      closed.get(10, TimeUnit.SECONDS);
      assertEquals("goodbye", last.getNow(null), "the held frame arrived before the close");
    } finally {
      client.close();
      server.close();
    }
  }

  /**
   * Writes {@link #FRAMES} frames in one task, as replies ({@code defer}) or as fan-out, and
   * counts the flushes that reach the socket.
   */
  private static int flushesFor(Vertx vertx, boolean defer) throws Exception {
    CompletableFuture<Accepted> accepted = new CompletableFuture<>();
    HttpServer server = server(vertx, accepted);
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      List<String> received = new ArrayList<>();
      CompletableFuture<List<String>> all = new CompletableFuture<>();
      WebSocket reader = connect(client, server);
      reader.textMessageHandler(text -> {
        received.add(text);
        if (received.size() == FRAMES) {
          all.complete(List.copyOf(received));
        }
      });
      Accepted serverSide = accepted.get(10, TimeUnit.SECONDS);
      serverSide.context().runOnContext(v -> {
        serverSide.counter().flushes = 0;
        for (int i = 0; i < FRAMES; i++) {
          if (defer) {
            serverSide.flushes().defer();
          }
          serverSide.socket().writeTextMessage("frame " + i);
        }
      });
      List<String> frames = all.get(10, TimeUnit.SECONDS);
      for (int i = 0; i < FRAMES; i++) {
        assertEquals("frame " + i, frames.get(i));
      }
      CompletableFuture<Integer> flushes = new CompletableFuture<>();
      serverSide.context().runOnContext(v -> flushes.complete(serverSide.counter().flushes));
      int counted = flushes.get(10, TimeUnit.SECONDS);
      assertTrue(counted > 0, "the frames were flushed");
      return counted;
    } finally {
      client.close();
      server.close();
    }
  }

  /** A server that sets up its WebSockets as the hub does, with a flush counter at the socket. */
  private static HttpServer server(Vertx vertx, CompletableFuture<Accepted> accepted) throws Exception {
    return vertx.createHttpServer(new HttpServerOptions().setStrictThreadMode(true))
        .requestHandler(request -> request.toWebSocket().onSuccess(socket -> {
          DirectWrites.install(socket);
          Flushes flushes = Flushes.install(request.connection());
          FlushCounter counter = new FlushCounter();
          // First in the pipeline, nearest the socket: it sees the flushes that leave it.
          ((ConnectionBase) request.connection()).channel().pipeline().addFirst(counter);
          accepted.complete(new Accepted(socket, ((ConnectionBase) request.connection()).channel(),
              vertx.getOrCreateContext(), flushes, counter));
        }))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static WebSocket connect(WebSocketClient client, HttpServer server) throws Exception {
    return client.connect(new WebSocketConnectOptions()
            .setHost("127.0.0.1").setPort(server.actualPort()).setURI("/"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private record Accepted(ServerWebSocket socket, Channel channel, Context context, Flushes flushes,
                          FlushCounter counter) {
  }

  /** Counts flushes passing towards the socket; touched on the channel's event loop only. */
  private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
    int flushes;

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      ctx.flush();
    }
  }
}
