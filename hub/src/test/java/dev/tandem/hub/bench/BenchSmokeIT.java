package dev.tandem.hub.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs every benchmark scenario at smoke scale (about a second each) against the packaged hub
 * and the reference server, so the harness keeps working. Only that the scenarios ran and moved
 * events is asserted: performance figures are never test assertions (docs/benchmarks.md).
 */
class BenchSmokeIT {

  @Test
  void everyScenarioRunsEndToEnd() throws Exception {
    Path out = Path.of("target", "bench-smoke");
    BenchOptions options = BenchOptions.parse(new String[] {
        "--scale", "smoke", "--hub-jar", Path.of("target", "tandem-hub.jar").toString(), "--out", out.toString()});

    Report report = Bench.run(options);

    assertEquals(Map.of(), report.failures(), "scenarios that failed");
    List<String> expected = List.of(
        "postgres/postgres 100-row transactions",
        "tandem/append http 1 stream", "tandem/append http 8 streams",
        "tandem/append websocket 1 stream", "tandem/append websocket 8 streams",
        "tandem/append websocket 1 stream, 4 in flight", "tandem/append websocket 8 streams, 4 in flight",
        "tandem/long-poll 4 readers", "tandem/fanout 10 subscribers @", "tandem/fanout 10 subscribers saturated",
        "tandem/catchup http", "tandem/catchup websocket", "tandem/idle 50 connections",
        "reference/append http 1 stream", "reference/append http 8 streams", "reference/long-poll 4 readers");
    for (String key : expected) {
      String[] parts = key.split("/", 2);
      Measurement m = report.find(parts[0], parts[1]).orElseThrow(() -> new AssertionError("no measurement for " + key));
      assertTrue(m.rate() > 0, key + " moved nothing: " + m);
    }
    Measurement idle = report.find("tandem", "idle").orElseThrow();
    assertEquals(50, idle.extra().get("connections"));
    assertTrue(Files.size(out.resolve("results.json")) > 0);
    assertTrue(Files.size(out.resolve("benchmarks.png")) > 0);
  }
}
