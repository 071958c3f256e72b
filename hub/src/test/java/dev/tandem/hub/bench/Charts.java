package dev.tandem.hub.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/**
 * The report's picture: append throughput against the ceiling and the peer, latency
 * percentiles, and read-side deliveries per second, one panel each, drawn with XChart.
 */
final class Charts {

  private static final int WIDTH = 1000;
  private static final int HEIGHT = 560;

  private Charts() {}

  static void write(Report report, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<CategoryChart> panels = new ArrayList<>();
    panels.add(throughput(report, "Append throughput (acknowledged events/s)", m -> m.scenario().startsWith("append")
        || m.system().equals("postgres")));
    panels.add(latency(report, "Append→acknowledgement latency (ms)", m -> m.scenario().startsWith("append")));
    panels.add(latency(report, "Append→delivery latency (ms)", m -> m.unit().equals("deliveries/s")));
    panels.add(throughput(report, "Read side (deliveries/s, all readers)", m -> m.unit().equals("deliveries/s")
        || m.scenario().startsWith("catchup")));
    panels.removeIf(chart -> chart.getSeriesMap().isEmpty());
    if (panels.isEmpty()) {
      return;
    }
    BitmapEncoder.saveBitmap(panels, panels.size(), 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** One bar per scenario and system; the systems are the series. */
  private static CategoryChart throughput(Report report, String title, java.util.function.Predicate<Measurement> which) {
    CategoryChart chart = chart(title, "events per second", "#,###");
    // Upright scenario names: XChart centres a rotated label's box, not its end, on the tick,
    // so a slanted one sits beside its bar.
    chart.getStyler().setXAxisLabelRotation(90);
    List<String> scenarios = new ArrayList<>();
    Map<String, Map<String, Double>> bySystem = new LinkedHashMap<>();
    for (Measurement m : report.measurements()) {
      if (!which.test(m)) {
        continue;
      }
      if (!scenarios.contains(m.scenario())) {
        scenarios.add(m.scenario());
      }
      bySystem.computeIfAbsent(m.system(), s -> new LinkedHashMap<>()).put(m.scenario(), m.rate());
    }
    bySystem.forEach((system, rates) -> chart.addSeries(label(system), scenarios,
        scenarios.stream().map(s -> bar(rates.get(s))).toList()));
    return logarithmic(chart);
  }

  /** p50, p99 and p99.9 of the chosen measurements (each in its own panel: their scales differ a thousandfold). */
  private static CategoryChart latency(Report report, String title, java.util.function.Predicate<Measurement> which) {
    CategoryChart chart = chart(title, "milliseconds", "#,###.#");
    List<String> percentiles = List.of("p50", "p99", "p99.9");
    for (Measurement m : report.measurements()) {
      Measurement.Latency l = m.latency();
      if (l == null || m.system().equals("postgres") || !which.test(m)) {
        continue;
      }
      chart.addSeries(label(m.system()) + ": " + m.scenario(), percentiles,
          Arrays.asList(bar(l.p50()), bar(l.p99()), bar(l.p999())));
    }
    return logarithmic(chart);
  }

  private static CategoryChart chart(String title, String yTitle, String numbers) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
    CategoryStyler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setChartBackgroundColor(java.awt.Color.WHITE);
    styler.setYAxisDecimalPattern(numbers);
    styler.setLabelsVisible(true); // each bar's value on it, upright
    styler.setLabelsRotation(90);
    styler.setLabelsFont(styler.getAxisTickLabelsFont().deriveFont(10f));
    return chart;
  }

  /**
   * A logarithmic y axis, from the power of ten below the smallest bar (XChart otherwise starts
   * bars at zero, which a logarithmic axis cannot show). The figures span five decades, a
   * reference server's hundreds of events/s beside a million deliveries/s, and a linear axis
   * flattens the small ones to nothing.
   */
  private static CategoryChart logarithmic(CategoryChart chart) {
    double smallest = chart.getSeriesMap().values().stream()
        .flatMap(series -> series.getYData().stream())
        .filter(Objects::nonNull).mapToDouble(Number::doubleValue).min().orElse(1);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
    return chart;
  }

  /** A bar's height, or none where there is no positive value (a logarithmic axis has no zero). */
  private static Number bar(Double value) {
    return value == null || value <= 0 ? null : value;
  }

  private static String label(String system) {
    return switch (system) {
      case "tandem" -> "Tandem";
      case "reference" -> "reference server";
      case "postgres" -> "raw Postgres";
      default -> system;
    };
  }
}
