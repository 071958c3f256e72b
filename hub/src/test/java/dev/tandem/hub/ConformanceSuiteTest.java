package dev.tandem.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The public Durable Streams conformance suite (npm {@code @durable-streams/server-conformance-tests},
 * pinned in {@code src/test/conformance/package.json}) run against a real hub on embedded
 * Postgres, with the reserved subscription APIs enabled ({@code TANDEM_SUBSCRIPTIONS=true}).
 * It is the referee for the HTTP protocol: every case must pass.
 */
@Tag("conformance")
class ConformanceSuiteTest {

  private static final Path SUITE = Path.of("src/test/conformance");
  private static Vertx vertx;
  private static TestHub hub;

  @BeforeAll
  static void startHub() throws Exception {
    vertx = Vertx.vertx();
    hub = TestHub.start(vertx, "long-poll-timeout-ms", "500");
  }

  @AfterAll
  static void stopHub() throws Exception {
    hub.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyConformanceCasePasses() throws Exception {
    if (!Files.isDirectory(SUITE.resolve("node_modules/@durable-streams/server-conformance-tests"))) {
      run(600, "npm", "ci", "--no-audit", "--no-fund");
    }
    File log = SUITE.resolve("target/conformance.log").toFile();
    Files.createDirectories(log.toPath().getParent());
    ProcessBuilder vitest = new ProcessBuilder("npx", "vitest", "run")
        .directory(SUITE.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log);
    vitest.environment().put("TANDEM_URL", hub.baseUrl());
    vitest.environment().put("TANDEM_LONG_POLL_MS", "500");
    vitest.environment().put("TANDEM_SUBSCRIPTIONS", "true");
    vitest.environment().put("NO_COLOR", "1");
    Process process = vitest.start();
    if (!process.waitFor(15, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the conformance suite did not finish in 15 minutes, see " + log);
    }
    int exit = process.exitValue();
    JsonNode results = new ObjectMapper().readTree(SUITE.resolve("target/conformance-results.json").toFile());
    int passed = results.path("numPassedTests").asInt();
    int failed = results.path("numFailedTests").asInt();
    int skipped = results.path("numPendingTests").asInt() + results.path("numTodoTests").asInt();
    System.out.printf("Durable Streams conformance: %d passed, %d failed, %d skipped (log: %s)%n",
        passed, failed, skipped, log);
    assertEquals(0, failed, "conformance failures, see " + log);
    assertTrue(passed >= 338, "expected at least 338 conformance cases to pass, got " + passed);
    assertEquals(0, exit, "vitest exited with " + exit + ", see " + log);
  }

  private static void run(int timeoutSeconds, String... command) throws Exception {
    Process process = new ProcessBuilder(command).directory(SUITE.toFile()).inheritIO().start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + "s");
    }
    assertEquals(0, process.exitValue(), String.join(" ", command) + " failed");
  }
}
