package dev.tandem.hub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Collects the measurements and turns them into the console table, {@code results.json}, the
 * ratios to the Postgres ceiling and to the reference server, the target checks of
 * docs/benchmarks.md, and {@code benchmarks.png}.
 */
final class Report {

  private final BenchOptions options;
  private final List<Measurement> measurements = new ArrayList<>();
  private final Map<String, String> failures = new LinkedHashMap<>();

  Report(BenchOptions options) {
    this.options = options;
  }

  /** Runs one scenario; its failure is recorded, and the run goes on with the next. */
  void attempt(String name, Callable<List<Measurement>> scenario) {
    Bench.progress("%s ...", name);
    try {
      for (Measurement m : scenario.call()) {
        measurements.add(m);
        Bench.progress("  %s", line(m));
        if (m.extra().get("errors") instanceof Long errors) {
          Bench.progress("    %,d requests failed; the first: %s", errors, m.extra().get("firstError"));
        }
      }
    } catch (Exception e) {
      failures.put(name, String.valueOf(e.getMessage()));
      Bench.progress("  FAILED: %s", e);
    }
  }

  List<Measurement> measurements() {
    return measurements;
  }

  Map<String, String> failures() {
    return failures;
  }

  String machine() {
    return "%d cores, %.0f GiB, %s %s, Java %s".formatted(Runtime.getRuntime().availableProcessors(),
        totalMemoryBytes() / (1024.0 * 1024 * 1024), System.getProperty("os.name"),
        System.getProperty("os.arch"), System.getProperty("java.version"));
  }

  private static long totalMemoryBytes() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
  }

  Optional<Measurement> find(String system, String scenarioPrefix) {
    return measurements.stream()
        .filter(m -> m.system().equals(system) && m.scenario().startsWith(scenarioPrefix))
        .findFirst();
  }

  /** Tandem over the ceiling and over the peer, for the HTTP append scenarios and long-poll. */
  Map<String, Double> ratios() {
    Map<String, Double> ratios = new LinkedHashMap<>();
    Optional<Measurement> ceiling = find("postgres", "postgres");
    for (Measurement m : measurements) {
      if (!m.system().equals("tandem")) {
        continue;
      }
      if (m.scenario().startsWith("append") && ceiling.isPresent()) {
        ratios.put(m.scenario() + " / postgres ceiling", m.rate() / ceiling.get().rate());
      }
      find("reference", m.scenario()).ifPresent(peer ->
          ratios.put(m.scenario() + " / reference server", m.rate() / peer.rate()));
    }
    return ratios;
  }

  /** The targets of issue #9, each checked against what this run measured (absent: not run). */
  List<Check> checks() {
    List<Check> checks = new ArrayList<>();
    Map<String, Double> ratios = ratios();
    for (Measurement m : measurements) {
      if (m.system().equals("tandem") && m.scenario().startsWith("append")) {
        checks.add(Check.atLeast(m.scenario() + ": events/s", 50_000, m.rate()));
        Double toCeiling = ratios.get(m.scenario() + " / postgres ceiling");
        if (toCeiling != null) {
          checks.add(Check.atLeast(m.scenario() + ": × postgres ceiling", 0.25, toCeiling));
        }
        Double toPeer = ratios.get(m.scenario() + " / reference server");
        if (toPeer != null) {
          checks.add(Check.atLeast(m.scenario() + ": × reference server", 3, toPeer));
        }
      }
    }
    find("tandem", "fanout 1000 subscribers @").filter(m -> m.latency() != null).ifPresent(m ->
        checks.add(Check.atMost(m.scenario() + ": p99 ms", 20, m.latency().p99())));
    find("tandem", "fanout 1000 subscribers saturated").ifPresent(m ->
        checks.add(Check.atLeast(m.scenario() + ": deliveries/s", 300_000, m.rate())));
    find("tandem", "idle").ifPresent(m -> checks.add(Check.atMost(m.scenario() + ": heap bytes per connection",
        8192, ((Number) m.extra().get("heapBytesPerConnection")).doubleValue())));
    for (Measurement m : measurements) {
      if (m.scenario().startsWith("catchup")) {
        checks.add(Check.atLeast(m.scenario() + ": events/s", 200_000, m.rate()));
      }
    }
    return checks;
  }

  record Check(String what, String target, double measured, boolean met) {
    static Check atLeast(String what, double target, double measured) {
      return new Check(what, "≥ " + number(target), measured, measured >= target);
    }

    static Check atMost(String what, double target, double measured) {
      return new Check(what, "≤ " + number(target), measured, measured <= target);
    }
  }

  /** Prints the table and writes {@code results.json} and {@code benchmarks.png} into the output directory. */
  void write() throws IOException {
    Files.createDirectories(options.out());
    StringBuilder table = new StringBuilder();
    table.append(String.format("%n%-44s %-10s %22s %9s %9s %9s%n", "scenario", "system", "rate", "p50 ms", "p99 ms", "p99.9 ms"));
    for (Measurement m : measurements) {
      table.append(line(m)).append('\n');
    }
    table.append('\n');
    ratios().forEach((what, ratio) -> table.append(String.format("%-70s %8.2f×%n", what, ratio)));
    table.append('\n');
    for (Check check : checks()) {
      table.append(String.format("%-70s %-10s %12s  %s%n", check.what(), check.target(), number(check.measured()),
          check.met() ? "met" : "NOT MET"));
    }
    failures.forEach((name, why) -> table.append("FAILED ").append(name).append(": ").append(why).append('\n'));
    System.out.print(table);
    Files.writeString(options.out().resolve("results.txt"), table.toString());

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("date", Instant.now().toString());
    json.put("machine", machine());
    json.put("options", Map.of("warmupSeconds", options.warmup().toMillis() / 1000.0,
        "durationSeconds", options.duration().toMillis() / 1000.0, "producers", options.producers(),
        "streams", options.streams(), "hubJvm", options.hubJvm(), "hubSettings", options.hubSettings()));
    json.put("measurements", measurements);
    json.put("ratios", ratios());
    json.put("targets", checks());
    json.put("failures", failures);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(options.out().resolve("results.json").toFile(), json);
    Path chart = options.out().resolve("benchmarks.png");
    Charts.write(this, chart);
    Bench.progress("results in %s (results.json, results.txt, benchmarks.png)", options.out().toAbsolutePath());
  }

  static String line(Measurement m) {
    Measurement.Latency l = m.latency();
    String rate = number(m.rate()) + " " + m.unit();
    return l == null
        ? String.format("%-44s %-10s %22s %9s %9s %9s", m.scenario(), m.system(), rate, "", "", "")
        : String.format("%-44s %-10s %22s %9.2f %9.2f %9.2f", m.scenario(), m.system(), rate, l.p50(), l.p99(), l.p999());
  }

  static String number(double value) {
    return value >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value);
  }
}
