package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Role;
import dev.tandem.hub.TestHub;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client for tests: frames go into a queue the test thread waits on. */
public final class WsTestClient implements AutoCloseable {

  public static final ObjectMapper JSON = new ObjectMapper();

  public final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  /** The hub's welcome, once {@link #hello} or {@link #helloWithToken} said hello. */
  public JsonNode welcome;
  final CompletableFuture<Short> closed = new CompletableFuture<>();
  private final WebSocketClient client;
  final WebSocket socket;
  private int nextId = 1;

  private WsTestClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> {
      try {
        frames.add(JSON.readTree(text));
      } catch (Exception e) {
        throw new AssertionError("server sent invalid JSON: " + text, e);
      }
    });
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
  }

  public static WsTestClient connect(Vertx vertx, int port) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(64 * 1024 * 1024));
    WebSocket socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/ws"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return new WsTestClient(client, socket);
  }

  /** Connects and says hello as {@code participant}, with a token that may read and append everywhere. */
  public static WsTestClient hello(Vertx vertx, TestHub hub, String participant, String kind) throws Exception {
    return helloWithToken(vertx, hub, kind, hub.participantToken(participant, kind.equals("agent") ? Role.AGENT : Role.HUMAN));
  }

  /** Connects and says hello with {@code token}. */
  public static WsTestClient helloWithToken(Vertx vertx, TestHub hub, String kind, String token) throws Exception {
    WsTestClient c = connect(vertx, hub.hub().port());
    c.request(JSON.createObjectNode().put("type", "hello").put("v", 1).put("kind", kind).put("token", token));
    c.welcome = c.expect("welcome");
    return c;
  }

  /** Sends a frame with a fresh id; returns the id. */
  public int request(ObjectNode frame) {
    int id = nextId++;
    frame.put("id", id);
    send(frame.toString());
    return id;
  }

  public void send(String text) {
    socket.writeTextMessage(text);
  }

  /** The next frame, which must be of {@code type}. */
  public JsonNode expect(String type) throws InterruptedException {
    JsonNode frame = next();
    if (!type.equals(frame.path("type").asText())) {
      throw new AssertionError("expected a " + type + " frame, got " + frame);
    }
    return frame;
  }

  /** The next frame of {@code type}, skipping others. */
  public JsonNode skipTo(String type) throws InterruptedException {
    while (true) {
      JsonNode frame = next();
      if (type.equals(frame.path("type").asText())) {
        return frame;
      }
    }
  }

  public JsonNode next() throws InterruptedException {
    JsonNode frame = frames.poll(20, TimeUnit.SECONDS);
    assertNotNull(frame, "no frame within 20s");
    return frame;
  }

  public JsonNode subscribe(String stream, String from) throws InterruptedException {
    request(JSON.createObjectNode().put("type", "subscribe").put("stream", stream).put("from", from));
    return skipTo("subscribed");
  }

  /** The close code the server ended the connection with, waiting up to {@code ms} for it. */
  public short awaitClose(long ms) throws Exception {
    return closed.get(ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws Exception {
    socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close();
  }
}
