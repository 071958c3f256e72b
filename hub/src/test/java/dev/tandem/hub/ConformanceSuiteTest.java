package dev.tandem.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The public Durable Streams conformance suite (npm {@code @durable-streams/server-conformance-tests},
 * pinned in {@code src/test/conformance/package.json}) run against a real hub on embedded
 * Postgres. It is the referee for the HTTP protocol: every case must pass.
 */
@Tag("conformance")
class ConformanceSuiteTest {

  private static final Path SUITE = Path.of("src/test/conformance").toAbsolutePath();
  private static Vertx vertx;
  private static TestHub hub;

  @BeforeAll
  static void startHub() throws Exception {
    vertx = Vertx.vertx();
    // The public suite sends no tokens: this hub runs with authentication explicitly off.
    hub = TestHub.start(vertx, "long-poll-timeout-ms", "500", "auth", "none");
  }

  @AfterAll
  static void stopHub() throws Exception {
    hub.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyConformanceCasePasses() throws Exception {
    try {
      NpmSuite.run(SUITE, "conformance", List.of("npx", "vitest", "run"), 15,
          Map.of("TANDEM_URL", hub.baseUrl(), "TANDEM_LONG_POLL_MS", "500", "TANDEM_SUBSCRIPTIONS", "true"));
    } finally {
      JsonNode results = new ObjectMapper().readTree(SUITE.resolve("target/conformance-results.json").toFile());
      int passed = results.path("numPassedTests").asInt();
      int failed = results.path("numFailedTests").asInt();
      int skipped = results.path("numPendingTests").asInt() + results.path("numTodoTests").asInt();
      System.out.printf("Durable Streams conformance: %d passed, %d failed, %d skipped%n", passed, failed, skipped);
      assertEquals(0, failed, "conformance failures, see target/conformance.log");
      assertTrue(passed >= 338, "expected every one of the 338 conformance cases to pass, got " + passed);
    }
  }
}
