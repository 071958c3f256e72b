package dev.tandem.hub.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Postgres stops under the hub: requests get 503 (not a hang), and the hub recovers by itself. */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void requestsGet503WhileTheDatabaseIsDownAndSucceedAgainWhenItReturns(Vertx vertx) throws Exception {
    Path root = Files.createTempDirectory("tandem-outage-");
    Path dir = root.resolve("pg");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    EmbeddedDatabase postgres = EmbeddedDatabase.start(dir, port);
    try (TestHub hub = TestHub.start(vertx, "database-url", "postgres://postgres:postgres@localhost:" + port + "/postgres",
        "db-timeout-ms", "1000")) {
      hub.put("outage/s", "application/json");
      assertEquals(204, hub.post("outage/s", "application/json", "{\"n\":1}").statusCode());

      postgres.close();
      for (HttpResponse<String> response : new HttpResponse[] {
          hub.post("outage/s", "application/json", "{\"n\":2}"), hub.get("outage/s?offset=-1")}) {
        assertEquals(503, response.statusCode(), response.body());
        assertEquals("unavailable", JSON.readTree(response.body()).get("error").asText());
        assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
      }

      postgres = EmbeddedDatabase.start(dir, port);
      Eventually.await(() -> {
        try {
          return hub.post("outage/s", "application/json", "{\"n\":3}").statusCode() == 204;
        } catch (Exception e) {
          return false;
        }
      }, 30_000, "appends succeed again");
      assertEquals(1, JSON.readTree(hub.get("outage/s?offset=-1").body()).get(0).get("n").asInt(),
          "what was acknowledged before the outage is still there");
    } finally {
      postgres.close();
      TempDirs.delete(root);
    }
  }
}
