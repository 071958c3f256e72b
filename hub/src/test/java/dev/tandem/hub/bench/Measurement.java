package dev.tandem.hub.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One figure of the report: what was measured, on which system, the rate and the latency.
 *
 * @param scenario e.g. {@code append http 1 stream}
 * @param system {@code tandem}, {@code postgres} (the raw ceiling) or {@code reference} (the
 *     Durable Streams reference server)
 * @param unit what {@code rate} counts per second, e.g. {@code events/s}
 * @param latency null where the scenario has none
 * @param extra further figures (errors, heap per connection, ...)
 */
record Measurement(String scenario, String system, String unit, double rate, Latency latency,
                   Map<String, Object> extra) {

  /** Percentiles in milliseconds. */
  record Latency(double p50, double p99, double p999, double max, long samples) {}

  static Measurement of(String scenario, String system, String unit, Latencies.Window window) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("events", window.events());
    extra.put("seconds", window.seconds());
    if (window.errors() > 0) {
      extra.put("errors", window.errors());
      extra.put("firstError", window.firstError());
    }
    return new Measurement(scenario, system, unit, window.perSecond(), window.latency(), extra);
  }

  Measurement with(String key, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(extra);
    more.put(key, value);
    return new Measurement(scenario, system, unit, rate, latency, more);
  }
}
