package dev.tandem.hub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.hub.http.TandemError;
import org.junit.jupiter.api.Test;

class OffsetsTest {

  @Test
  void formatIsFixedWidthSoLexicalOrderIsNumericOrder() {
    assertEquals("0000000000000000_0000000000000000", Offsets.format(0));
    assertEquals("0000000000000042_0000000000000000", Offsets.format(42));
    assertTrue(Offsets.format(9).compareTo(Offsets.format(10)) < 0);
    assertTrue(Offsets.format(999_999).compareTo(Offsets.format(1_000_000)) < 0);
  }

  @Test
  void parseRoundTrips() {
    for (long seq : new long[] {0, 1, 42, 123_456_789_012L}) {
      assertEquals(seq, Offsets.parse(Offsets.format(seq)));
    }
  }

  @Test
  void parseRefusesAnythingTheServerDidNotMint() {
    for (String bad : new String[] {"", "42", "-1", "now", "0000000000000042", "0000000000000042_000000000000000x",
        "000000000000004 _0000000000000000", "0000000000000042-0000000000000000", "a000000000000042_0000000000000000",
        "0000000000000042_0000000000000001"}) {
      TandemError error = assertThrows(TandemError.class, () -> Offsets.parse(bad), bad);
      assertEquals("invalid_offset", error.code());
    }
  }
}
