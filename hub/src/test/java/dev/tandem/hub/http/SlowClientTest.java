package dev.tandem.hub.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.TestHub;
import dev.tandem.hub.ws.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow and idle clients over raw sockets: a body dribbled byte by byte is answered 408 and
 * its connection closed; headers dribbled byte by byte and connections left idle are closed;
 * but a long-poll, an SSE stream and a WebSocket that outlive the idle timeout keep working.
 * Timeouts are small here: idle 400 ms, request body 600 ms.
 */
@ExtendWith(VertxExtension.class)
class SlowClientTest {

  private static final long IDLE_MS = 400;
  private static final long BODY_MS = 600;
  /** How much later than its deadline a connection may be cut (the check runs every 100 ms; a busy CI machine). */
  private static final long SLACK_MS = 3_000;
  private static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx, "http-idle-timeout-ms", Long.toString(IDLE_MS), "http-request-timeout-ms",
        Long.toString(BODY_MS), "long-poll-timeout-ms", "1500", "sse-max-ms", "1500");
    assertEquals(201, hub.put("slow/stream", "application/json").statusCode());
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  @Test
  void aDribbledBodyIsAnswered408AndTheConnectionClosed() throws Exception {
    try (Socket socket = connect()) {
      long start = System.currentTimeMillis();
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/stream/slow/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + hub.adminToken()
          + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      CompletableFuture<Void> dribbler = dribble(out, "[" + "1,".repeat(400));
      String answer = readUntilClosed(socket.getInputStream());
      long took = System.currentTimeMillis() - start;
      dribbler.cancel(true);
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains("\"error\":\"request_timeout\""), answer);
      assertTrue(took >= BODY_MS && took < BODY_MS + SLACK_MS, "cut off after " + took + " ms");
    }
    assertEquals("[]", hub.get("slow/stream?offset=-1").body(), "nothing of the dribbled body was appended");
  }

  @Test
  void dribbledHeadersAndIdleConnectionsAreClosed() throws Exception {
    try (Socket socket = connect()) {
      long start = System.currentTimeMillis();
      CompletableFuture<Void> dribbler = dribble(socket.getOutputStream(), "GET /healthz HTTP/1.1\r\nX-Slow: " + "x".repeat(200));
      String answer = readUntilClosed(socket.getInputStream());
      long took = System.currentTimeMillis() - start;
      dribbler.cancel(true);
      assertEquals("", answer, "no request was ever complete");
      assertTrue(took >= IDLE_MS && took < IDLE_MS + SLACK_MS, "cut off after " + took + " ms");
    }
    try (Socket socket = connect()) {
      long start = System.currentTimeMillis();
      assertEquals("", readUntilClosed(socket.getInputStream()));
      assertTrue(System.currentTimeMillis() - start < IDLE_MS + SLACK_MS);
    }
  }

  @Test
  void longPollsSseAndWebSocketsOutliveTheIdleTimeout(Vertx vertx) throws Exception {
    try (WsTestClient ws = WsTestClient.hello(vertx, hub, "patient", "human"); Socket socket = connect()) {
      // A long-poll (1500 ms) three times as long as the idle timeout, on a raw keep-alive connection ...
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      long start = System.currentTimeMillis();
      out.write(request("GET /v1/stream/slow/stream?offset=now&live=long-poll"));
      out.flush();
      String polled = readResponseHead(in);
      assertTrue(polled.startsWith("HTTP/1.1 204"), polled);
      assertTrue(System.currentTimeMillis() - start >= 1_400, "the poll waited its whole timeout");
      // ... leaves that connection usable for the next request,
      out.write(request("GET /healthz"));
      out.flush();
      assertTrue(readResponseHead(in).startsWith("HTTP/1.1 200"));

      // an SSE stream as long runs until sse-max-ms and ends normally,
      long sseStart = System.currentTimeMillis();
      HttpResponse<String> sse = hub.get("slow/stream?offset=-1&live=sse");
      assertEquals(200, sse.statusCode());
      assertTrue(System.currentTimeMillis() - sseStart >= 1_400, "the SSE stream ran its whole time");
      assertTrue(sse.body().contains("event: control"), sse.body());

      // and the WebSocket opened before all this still answers.
      ws.request(WsTestClient.JSON.createObjectNode().put("type", "ping"));
      ws.expect("pong");
    }
  }

  // ---- raw HTTP ---------------------------------------------------------------------------

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", hub.hub().port());
    socket.setSoTimeout(20_000);
    return socket;
  }

  private static byte[] request(String line) {
    return (line + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + hub.adminToken() + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends {@code text} one byte every 50 ms, until it is sent or the hub closes the connection. */
  private static CompletableFuture<Void> dribble(OutputStream out, String text) {
    return CompletableFuture.runAsync(() -> {
      try {
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
          out.write(b);
          out.flush();
          Thread.sleep(50); // the slow client's pace, not a synchronisation
        }
      } catch (IOException | InterruptedException closedByTheHub) {
        // expected
      }
    });
  }

  /** Everything the hub sends until it closes the connection. */
  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.write(buffer, 0, n);
      }
    } catch (SocketException reset) {
      // a reset after the answer is a close too
    }
    return received.toString(StandardCharsets.UTF_8);
  }

  /** A response's status line and headers (the responses read this way have no body). */
  private static String readResponseHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }
}
