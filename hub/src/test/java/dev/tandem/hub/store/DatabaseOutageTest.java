package dev.tandem.hub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TempDirs;
import dev.tandem.hub.TestHub;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Postgres stops under the hub: requests get 503 (not a hang), and the hub recovers by itself. */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITERS = 8;

  @Test
  void requestsGet503WhileTheDatabaseIsDownAndSucceedAgainWhenItReturns(Vertx vertx) throws Exception {
    try (Postgres postgres = Postgres.start();
         TestHub hub = TestHub.start(vertx, "database-url", postgres.url(), "db-timeout-ms", "1000")) {
      hub.put("outage/s", "application/json");
      assertEquals(204, hub.post("outage/s", "application/json", "{\"n\":1}").statusCode());

      postgres.stop();
      for (HttpResponse<String> response : new HttpResponse[] {
          hub.post("outage/s", "application/json", "{\"n\":2}"), hub.get("outage/s?offset=-1")}) {
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("unavailable", JSON.readTree(response.body()).get("error").asText());
        assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
      }

      postgres.restart();
      Eventually.await(() -> {
        try {
          return hub.post("outage/s", "application/json", "{\"n\":3}").statusCode() == 204;
        } catch (Exception e) {
          return false;
        }
      }, 30_000, "appends succeed again");
      assertEquals(1, JSON.readTree(hub.get("outage/s?offset=-1").body()).get(0).get("n").asInt(),
          "what was acknowledged before the outage is still there");
    }
  }

  /**
   * Eight writers append as fast as they are answered while Postgres stops under them and comes
   * back. Appends in flight when it stops may fail either way, but none that was acknowledged is
   * lost, none is stored twice, and each writer's events stay in its order.
   */
  @Test
  void writersThroughAnOutageLoseNoAcknowledgedAppend(Vertx vertx) throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    try (Postgres postgres = Postgres.start();
         TestHub hub = TestHub.start(vertx, "database-url", postgres.url(), "db-timeout-ms", "1000")) {
      hub.put("outage/load", "application/json");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger acknowledged = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      Set<String> acked = ConcurrentHashMap.newKeySet();
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        running.add(writers.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            String event = "{\"w\":" + writer + ",\"i\":" + i + "}";
            HttpResponse<String> response = hub.post("outage/load", "application/json", event);
            if (response.statusCode() == 204) {
              acked.add(writer + ":" + i);
              acknowledged.incrementAndGet();
            } else {
              assertEquals(503, response.statusCode(), "only 503 while the database is away: " + response.body());
              refused.incrementAndGet();
            }
          }
          return null;
        }));
      }
      Eventually.await(() -> acknowledged.get() >= 200, 30_000, "appends acknowledged before the outage");
      postgres.stop();
      Eventually.await(() -> refused.get() > 0, 30_000, "appends refused while Postgres is down");
      postgres.restart();
      int before = acknowledged.get();
      Eventually.await(() -> acknowledged.get() >= before + 200, 60_000, "appends acknowledged after the outage");
      stop.set(true);
      for (Future<?> writer : running) {
        writer.get(60, TimeUnit.SECONDS); // rethrows a writer's failed assertion
      }

      JsonNode stored = JSON.readTree(hub.get("outage/load?offset=-1").body());
      Set<String> seen = new HashSet<>();
      int[] last = new int[WRITERS];
      Arrays.fill(last, -1);
      for (JsonNode event : stored) {
        int writer = event.get("w").asInt();
        int i = event.get("i").asInt();
        assertTrue(seen.add(writer + ":" + i), "stored twice: " + event);
        assertTrue(i > last[writer], "writer " + writer + " out of order: " + i + " after " + last[writer]);
        last[writer] = i;
      }
      Set<String> lost = new HashSet<>(acked);
      lost.removeAll(seen);
      assertEquals(Set.of(), lost, "acknowledged but not stored");
    } finally {
      writers.shutdownNow();
    }
  }

  /** A Postgres of its own, outside the hub, that a test can stop and start again. */
  private static final class Postgres implements AutoCloseable {
    private final Path root;
    private final int port;
    private EmbeddedDatabase running;

    private Postgres(Path root, int port) throws Exception {
      this.root = root;
      this.port = port;
      this.running = EmbeddedDatabase.start(root.resolve("pg"), port);
    }

    static Postgres start() throws Exception {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      return new Postgres(Files.createTempDirectory("tandem-outage-"), port);
    }

    String url() {
      return "postgres://postgres:postgres@localhost:" + port + "/postgres";
    }

    void stop() throws Exception {
      running.close();
    }

    void restart() throws Exception {
      running = EmbeddedDatabase.start(root.resolve("pg"), port);
    }

    @Override
    public void close() throws Exception {
      running.close();
      TempDirs.delete(root);
    }
  }
}
