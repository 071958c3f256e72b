package dev.tandem.hub.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedFrameTest {

  private static final String TEXT = "{\"type\":\"events\",\"data\":\"héllo\"}";

  @Test
  void everyWriteReadsItsOwnViewOfTheSameDirectBytes() {
    SharedFrame frame = SharedFrame.of(TEXT);
    ByteBuf first = frame.view();
    ByteBuf second = frame.view();
    assertTrue(first.isDirect(), "a socket writes direct memory without copying it");
    first.setByte(0, '[');
    assertEquals('[', second.getByte(0), "one copy of the bytes for all writes");
    first.setByte(0, '{');
    assertEquals(TEXT.getBytes(StandardCharsets.UTF_8).length, frame.length());
    byte[] read = new byte[frame.length()];
    first.readBytes(read); // a write consuming its view leaves the others whole
    assertEquals(TEXT, new String(read, StandardCharsets.UTF_8));
    assertEquals(frame.length(), second.readableBytes());
    assertEquals(TEXT, frame.text());
  }

  @Test
  void aWriteReleasingItsViewLeavesTheBytesToTheOthers() {
    SharedFrame frame = SharedFrame.of(TEXT);
    assertFalse(frame.view().release(), "what a channel releases after writing is not freed");
    ByteBuf next = frame.view();
    assertEquals(1, next.refCnt());
    assertEquals(TEXT, next.toString(StandardCharsets.UTF_8));
  }
}
