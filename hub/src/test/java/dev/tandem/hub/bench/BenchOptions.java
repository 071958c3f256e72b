package dev.tandem.hub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the harness runs, and how big. {@code --scale full} is the documented run
 * (docs/benchmarks.md); {@code --scale smoke} runs every scenario for about a second, which is
 * what the test suite does so the harness cannot rot. Any figure can be overridden by flag.
 */
record BenchOptions(
    Path hubJar,
    Path out,
    Set<String> scenarios,
    boolean peer,
    Duration hubWarmup,
    Duration warmup,
    Duration duration,
    int producers,
    int window,
    int streams,
    List<Integer> fanoutSubscribers,
    int fanoutRate,
    int saturatingWriters,
    int longPollReaders,
    int idleConnections,
    int catchupEvents,
    int ceilingConnections,
    List<String> hubJvm,
    List<String> hubSettings) {

  static final List<String> ALL = List.of("ceiling", "append", "longpoll", "fanout", "catchup", "idle");

  static final String USAGE = """
      usage: Bench --hub-jar PATH [--scale full|smoke] [--out DIR] [--scenarios a,b,...] [--no-peer]
                   [--hub-warmup SECONDS] [--warmup SECONDS] [--duration SECONDS] [--producers N] [--window N] [--streams N]
                   [--subscribers N,N] [--fanout-rate EV_PER_S] [--writers N] [--readers N]
                   [--idle N] [--catchup-events N] [--ceiling-connections N] [--hub-jvm "FLAGS"]
                   [--hub-setting NAME=VALUE]...
        scenarios: %s (default: all)
      """.formatted(String.join(",", ALL));

  static BenchOptions parse(String[] args) {
    String scale = "full";
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--scale")) {
        scale = args[i + 1];
      }
    }
    Builder b = switch (scale) {
      case "full" -> Builder.full();
      case "smoke" -> Builder.smoke();
      default -> throw new IllegalArgumentException("--scale is full or smoke, not " + scale);
    };
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--no-peer")) {
        b.peer = false;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
      }
      String value = args[++i];
      switch (flag) {
        case "--scale" -> { }
        case "--hub-jar" -> b.hubJar = Path.of(value);
        case "--out" -> b.out = Path.of(value);
        case "--scenarios" -> b.scenarios = scenarios(value);
        case "--hub-warmup" -> b.hubWarmup = seconds(value);
        case "--warmup" -> b.warmup = seconds(value);
        case "--duration" -> b.duration = seconds(value);
        case "--producers" -> b.producers = Integer.parseInt(value);
        case "--window" -> b.window = Integer.parseInt(value);
        case "--streams" -> b.streams = Integer.parseInt(value);
        case "--subscribers" -> b.fanoutSubscribers = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
        case "--fanout-rate" -> b.fanoutRate = Integer.parseInt(value);
        case "--writers" -> b.saturatingWriters = Integer.parseInt(value);
        case "--readers" -> b.longPollReaders = Integer.parseInt(value);
        case "--idle" -> b.idleConnections = Integer.parseInt(value);
        case "--catchup-events" -> b.catchupEvents = Integer.parseInt(value);
        case "--ceiling-connections" -> b.ceilingConnections = Integer.parseInt(value);
        case "--hub-jvm" -> b.hubJvm = List.of(value.trim().split("\\s+"));
        case "--hub-setting" -> {
          int eq = value.indexOf('=');
          if (eq < 1) {
            throw new IllegalArgumentException("--hub-setting is NAME=VALUE, e.g. ws-fanout-interval-ms=10, not " + value);
          }
          b.hubSettings.addAll(List.of("--" + value.substring(0, eq), value.substring(eq + 1)));
        }
        default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
      }
    }
    if (b.hubJar == null) {
      throw new IllegalArgumentException("--hub-jar is required\n" + USAGE);
    }
    return new BenchOptions(b.hubJar, b.out, b.scenarios, b.peer, b.hubWarmup, b.warmup, b.duration, b.producers,
        b.window, b.streams, b.fanoutSubscribers, b.fanoutRate, b.saturatingWriters, b.longPollReaders,
        b.idleConnections, b.catchupEvents, b.ceilingConnections, b.hubJvm,
        List.copyOf(b.hubSettings));
  }

  boolean runs(String scenario) {
    return scenarios.contains(scenario);
  }

  private static Set<String> scenarios(String list) {
    Set<String> chosen = new LinkedHashSet<>();
    for (String name : list.split(",")) {
      if (!ALL.contains(name.trim())) {
        throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + String.join(",", ALL));
      }
      chosen.add(name.trim());
    }
    return chosen;
  }

  private static Duration seconds(String value) {
    return Duration.ofMillis(Math.round(Double.parseDouble(value.replace("s", "")) * 1000));
  }

  /**
   * The open-file limit caps the idle connections the hub can hold; the harness stays 1,000
   * descriptors under it and says so rather than failing half-way.
   */
  static int openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
          return Integer.parseInt(parts[0]);
        }
      }
    } catch (Exception unknown) {
      // not Linux: assume enough
    }
    return Integer.MAX_VALUE;
  }

  private static final class Builder {
    Path hubJar;
    Path out = Path.of("target", "bench");
    Set<String> scenarios = new LinkedHashSet<>(ALL);
    boolean peer = true;
    Duration hubWarmup;
    Duration warmup;
    Duration duration;
    int producers;
    int window;
    int streams;
    List<Integer> fanoutSubscribers;
    int fanoutRate;
    int saturatingWriters;
    int longPollReaders;
    int idleConnections;
    int catchupEvents;
    int ceilingConnections;
    List<String> hubJvm = new ArrayList<>(List.of("-Xms1g", "-Xmx2g"));
    List<String> hubSettings = new ArrayList<>();

    static Builder full() {
      Builder b = new Builder();
      b.hubWarmup = Duration.ofSeconds(30);
      b.warmup = Duration.ofSeconds(5);
      b.duration = Duration.ofSeconds(15);
      b.producers = 64;
      b.window = 16;
      b.streams = 1000;
      b.fanoutSubscribers = List.of(1000, 10_000);
      b.fanoutRate = 1000;
      b.saturatingWriters = 16;
      b.longPollReaders = 100;
      b.idleConnections = Math.min(20_000, openFileLimit() - 1000);
      b.catchupEvents = 1_000_000;
      b.ceilingConnections = 8;
      return b;
    }

    static Builder smoke() {
      Builder b = new Builder();
      b.hubWarmup = Duration.ZERO;
      b.warmup = Duration.ofMillis(300);
      b.duration = Duration.ofSeconds(1);
      b.producers = 4;
      b.window = 4;
      b.streams = 8;
      b.fanoutSubscribers = List.of(10);
      b.fanoutRate = 100;
      b.saturatingWriters = 2;
      b.longPollReaders = 4;
      b.idleConnections = 50;
      b.catchupEvents = 5000;
      b.ceilingConnections = 2;
      b.hubJvm = new ArrayList<>(List.of("-Xmx512m"));
      return b;
    }
  }
}
