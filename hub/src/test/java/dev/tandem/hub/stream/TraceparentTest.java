package dev.tandem.hub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** W3C Trace Context parsing: what is kept, what is ignored. */
class TraceparentTest {

  private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aValidVersion00ValueIsKeptAsItIs() {
    assertEquals(VALID, Traceparent.parse(VALID));
    assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
  }

  @Test
  void aLaterVersionIsReadAsVersion00() {
    assertEquals(VALID, Traceparent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertEquals(VALID, Traceparent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-next"));
    assertNull(Traceparent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"));
  }

  @Test
  void invalidValuesAreIgnored() {
    assertNull(Traceparent.parse(null));
    assertNull(Traceparent.parse(""));
    assertNull(Traceparent.parse("not a traceparent"));
    assertNull(Traceparent.parse(VALID + "-extra"), "version 00 is exactly 55 characters");
    assertNull(Traceparent.parse(VALID.substring(0, 54)));
    assertNull(Traceparent.parse(VALID.toUpperCase()), "uppercase hex is invalid");
    assertNull(Traceparent.parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "version ff is invalid");
    assertNull(Traceparent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), "all-zero trace id");
    assertNull(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"), "all-zero parent id");
    assertNull(Traceparent.parse("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertNull(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"));
    assertNull(Traceparent.parse(" " + VALID.substring(1)));
  }
}
