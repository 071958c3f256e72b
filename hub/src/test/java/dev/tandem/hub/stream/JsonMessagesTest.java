package dev.tandem.hub.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.hub.http.TandemError;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonMessagesTest {

  private static List<String> split(String body) {
    return JsonMessages.split(Buffer.buffer(body), true, 100).stream().map(Buffer::toString).toList();
  }

  @Test
  void flattensOneLevelKeepingEachElementsExactBytes() {
    assertEquals(List.of("{\"a\": 1}", "\"s,]\"", "12.5e3", "[1, [2]]", "null", "true"),
        split(" [ {\"a\": 1}, \"s,]\" ,12.5e3,[1, [2]] , null,true ] "));
  }

  @Test
  void aNonArrayValueIsOneMessage() {
    assertEquals(List.of("{\"x\":[1,2]}"), split("\n{\"x\":[1,2]}\n"));
    assertEquals(List.of("\"just a string\""), split("\"just a string\""));
    assertEquals(List.of("42"), split("42"));
  }

  @Test
  void nestedArraysStayWhole() {
    assertEquals(List.of("[[1,2,3]]"), split("[[[1,2,3]]]"));
  }

  @Test
  void refusesInvalidJsonTrailingDataAndEmptyAppends() {
    assertEquals("invalid_json", assertThrows(TandemError.class, () -> split("{\"a\":")).code());
    assertEquals("invalid_json", assertThrows(TandemError.class, () -> split("[1,2")).code());
    assertEquals("invalid_json", assertThrows(TandemError.class, () -> split("1 2")).code());
    assertEquals("invalid_json", assertThrows(TandemError.class, () -> split("\"\\xZZ\"")).code());
    assertEquals("empty_json_array", assertThrows(TandemError.class,
        () -> JsonMessages.split(Buffer.buffer("[]"), false, 10)).code());
    assertEquals(413, assertThrows(TandemError.class,
        () -> JsonMessages.split(Buffer.buffer("[1,2,3]"), false, 2)).status());
  }

  @Test
  void refusesJsonInOtherEncodingsThanUtf8() {
    byte[] utf16 = "{\"a\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
    assertEquals("invalid_json", assertThrows(TandemError.class, () -> JsonMessages.split(Buffer.buffer(utf16), true, 10)).code());
  }

  @Test
  void refusesInvalidUtf8() {
    Buffer body = Buffer.buffer(new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'});
    assertEquals("invalid_json", assertThrows(TandemError.class, () -> JsonMessages.split(body, true, 10)).code());
  }
}
