package dev.tandem.hub.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code log-format=json} switches the console to one JSON object per line, and back. */
class LogFormatTest {

  @Test
  void jsonLinesWhenAskedForThenTextAgain() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LogFormat.apply(true);
      LoggerFactory.getLogger("dev.tandem.test").info("appended {} events", 3);
      LoggerFactory.getLogger("dev.tandem.test").warn("with a \"quote\"\nand a second line");
      LogFormat.apply(false);
      LoggerFactory.getLogger("dev.tandem.test").info("as text");
    } finally {
      LogFormat.apply(false);
      System.setOut(original);
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length, "one line per event: " + captured);
    assertTrue(lines[2].endsWith("INFO  dev.tandem.test - as text"), lines[2]);
    JsonNode first = new ObjectMapper().readTree(lines[0]);
    assertEquals("INFO", first.get("level").asText());
    assertEquals("dev.tandem.test", first.get("loggerName").asText());
    assertEquals("appended 3 events", first.get("formattedMessage").asText());
    assertTrue(first.get("timestamp").canConvertToLong());
    assertFalse(first.has("context"), "no logger-context noise on every line");
    assertEquals("with a \"quote\"\nand a second line", new ObjectMapper().readTree(lines[1]).get("formattedMessage").asText());
  }
}
