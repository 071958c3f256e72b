package dev.tandem.hub.bench;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency samples and an event count, recorded from any thread. {@link #reset()} starts the
 * measured window (after warm-up); {@link #window()} ends it.
 */
final class Latencies {

  private final Recorder recorder = new Recorder(3);
  private final LongAdder count = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final AtomicReference<String> firstError = new AtomicReference<>();

  /** One sample of {@code nanos}, counting one event. */
  void record(long nanos) {
    recorder.recordValue(Math.max(1, nanos / 1_000));
    count.increment();
  }

  /** Counts events without a latency sample (e.g. the rest of a batch). */
  void count(long events) {
    count.add(events);
  }

  /** Counts a failed request; the first reason of a window is kept, so a report says why. */
  void error(String reason) {
    errors.increment();
    firstError.compareAndSet(null, reason);
  }

  void reset() {
    recorder.reset();
    count.reset();
    errors.reset();
    firstError.set(null);
  }

  /** Lets the load warm up, then measures for {@code duration}: the harness's clock, not a test's. */
  Window measure(java.time.Duration warmup, java.time.Duration duration) throws InterruptedException {
    Thread.sleep(warmup.toMillis());
    reset();
    long start = System.nanoTime();
    Thread.sleep(duration.toMillis());
    return window((System.nanoTime() - start) / 1e9);
  }

  Window window(double seconds) {
    Histogram histogram = recorder.getIntervalHistogram();
    return new Window(count.sum(), errors.sum(), firstError.get(), seconds, histogram);
  }

  /** What one measured window saw. Latencies are in microseconds in the histogram. */
  record Window(long events, long errors, String firstError, double seconds, Histogram histogram) {

    double perSecond() {
      return events / seconds;
    }

    Measurement.Latency latency() {
      if (histogram.getTotalCount() == 0) {
        return null;
      }
      return new Measurement.Latency(
          ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(99)),
          ms(histogram.getValueAtPercentile(99.9)), ms(histogram.getMaxValue()), histogram.getTotalCount());
    }

    private static double ms(long micros) {
      return micros / 1000.0;
    }
  }
}
