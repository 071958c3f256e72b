package dev.tandem.hub.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A text frame encoded once, in direct memory, for every subscriber it goes to. Each write takes
 * a view of the same bytes. A socket writes only from direct memory: a heap frame would be copied
 * there once per subscriber, and each copy held until that subscriber's socket took it, so a
 * stream with thousands of subscribers behind would hold thousands of copies of every frame.
 * Shared, a frame costs its size once however many subscribers still owe it.
 *
 * <p>The memory belongs to a JDK {@link ByteBuffer} and is freed with it by the garbage collector
 * once the last write has let go of its view. The views cannot be released, so no write can
 * free the bytes under the others and there is no count to get wrong.
 *
 * <p>It does count the writes its sockets have not yet taken ({@link #owe}, {@link #paid}), so
 * that {@link SendBudget} holds its bytes once, from the first such write to the last.
 */
final class SharedFrame {

  private final ByteBuf bytes;
  private final AtomicInteger owed = new AtomicInteger();

  private SharedFrame(ByteBuf bytes) {
    this.bytes = bytes;
  }

  static SharedFrame of(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    ByteBuffer direct = ByteBuffer.allocateDirect(utf8.length).put(utf8).flip();
    return new SharedFrame(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct)));
  }

  int length() {
    return bytes.readableBytes();
  }

  /** The bytes for one write: its own read position, the same memory. */
  ByteBuf view() {
    return bytes.duplicate();
  }

  /** A write of this frame is waiting for its socket; true for the first of those. */
  boolean owe() {
    return owed.getAndIncrement() == 0;
  }

  /** Such a write completed; true for the last of those. */
  boolean paid() {
    return owed.decrementAndGet() == 0;
  }

  String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
