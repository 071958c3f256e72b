package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FanOutPacingTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aQuickDeliveryWaitsOnlyForTheInterval() {
    // 0.1 ms of sends at 50 %: 0.1 ms of rest, well inside the 5 ms interval.
    assertEquals(1_000 * MS + 5 * MS, FanOut.nextDue(1_000 * MS, 1_000 * MS + MS / 10, 5 * MS, 50));
  }

  @Test
  void aLongDeliveryRestsInProportionToItsLength() {
    // 8 ms of sends: as long again at 50 %, three times as long at 25 %, nothing at 100 %.
    assertEquals(1_016 * MS, FanOut.nextDue(1_000 * MS, 1_008 * MS, 5 * MS, 50));
    assertEquals(1_032 * MS, FanOut.nextDue(1_000 * MS, 1_008 * MS, 5 * MS, 25));
    assertEquals(1_008 * MS, FanOut.nextDue(1_000 * MS, 1_008 * MS, 0, 100));
  }

  @Test
  void theRuleHoldsWhereNanoTimeIsNegativeOrWraps() {
    long start = Long.MAX_VALUE - 3 * MS; // the delivery ends past the wrap
    long end = start + 8 * MS;
    assertEquals(end + 8 * MS, FanOut.nextDue(start, end, 5 * MS, 50));
    assertEquals(-20 * MS + 5 * MS, FanOut.nextDue(-20 * MS, -20 * MS + MS / 10, 5 * MS, 50));
  }

  @Test
  void aShareOutsideOneToAHundredIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new FanOut(5, 0));
    assertThrows(IllegalArgumentException.class, () -> new FanOut(5, 101));
  }
}
