package dev.tandem.hub.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The report's picture: append throughput against the ceiling and the peer, latency
 * percentiles, and read-side deliveries per second, one panel each, drawn with XChart.
 */
final class Charts {

  private static final int WIDTH = 1000;
  private static final int HEIGHT = 420;

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
    CategoryChart chart = chart(title, "events per second");
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
        scenarios.stream().map(s -> (Number) rates.getOrDefault(s, 0.0)).toList()));
    return chart;
  }

  /** p50, p99 and p99.9 of the chosen measurements (each in its own panel: their scales differ a thousandfold). */
  private static CategoryChart latency(Report report, String title, java.util.function.Predicate<Measurement> which) {
    CategoryChart chart = chart(title, "milliseconds");
    List<String> percentiles = List.of("p50", "p99", "p99.9");
    for (Measurement m : report.measurements()) {
      Measurement.Latency l = m.latency();
      if (l == null || m.system().equals("postgres") || !which.test(m)) {
        continue;
      }
      chart.addSeries(label(m.system()) + ": " + m.scenario(), percentiles, List.of(l.p50(), l.p99(), l.p999()));
    }
    return chart;
  }

  private static CategoryChart chart(String title, String yTitle) {
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
    Styler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    styler.setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(15);
    chart.getStyler().setYAxisDecimalPattern("#,###.##");
    return chart;
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
