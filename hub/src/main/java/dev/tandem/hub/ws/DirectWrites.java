package dev.tandem.hub.ws;

import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a server WebSocket write straight to its channel, as Vert.x's strict thread mode lets the
 * hub's HTTP connections do.
 *
 * <p>Vert.x 5 gives every WebSocket connection a cross-thread write queue whatever the server's
 * thread mode, and its first chunk (1,025 slots, about 4.9 KB) lives as long as the connection:
 * on an idle connection, two fifths of the heap it costs (docs/benchmarks.md). The hub writes to a
 * WebSocket only on its event loop ({@link WsConnection} checks), so that queue never holds
 * anything. Vert.x has no option for it, so the queue is swapped for the direct one it uses in
 * strict mode, through reflection on its internals. Where they are not as expected (another
 * Vert.x version), connections keep the queue and this says so once in the log; DirectWritesTest
 * fails then, so an upgrade cannot lose the saving unnoticed.
 */
final class DirectWrites {

  private static final Logger LOG = LoggerFactory.getLogger(DirectWrites.class);
  private static final Swap SWAP = Swap.find();

  private DirectWrites() {
  }

  /**
   * Switches {@code socket} to direct writes; call on its event loop before anything is written
   * to it. Returns whether it was switched.
   */
  static boolean install(ServerWebSocket socket) {
    if (SWAP == null) {
      return false;
    }
    try {
      Object connection = SWAP.connection.get(socket);
      SWAP.queue.set(connection, SWAP.direct.newInstance(connection));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not expected once find() succeeded; the socket keeps its queue and works as before.
      LOG.warn("WebSocket keeps Vert.x's write queue: {}", e.toString());
      return false;
    }
  }

  private record Swap(Field connection, Field queue, Constructor<?> direct) {

    static Swap find() {
      try {
        Class<?> webSocket = Class.forName("io.vertx.core.http.impl.WebSocketImplBase");
        Class<?> vertxConnection = Class.forName("io.vertx.core.net.impl.VertxConnection");
        Class<?> directQueue = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue");
        Field connection = webSocket.getDeclaredField("conn");
        Field queue = vertxConnection.getDeclaredField("outboundMessageQueue");
        Constructor<?> direct = directQueue.getDeclaredConstructor(vertxConnection);
        if (!vertxConnection.isAssignableFrom(connection.getType()) || !queue.getType().isAssignableFrom(directQueue)) {
          throw new NoSuchFieldException("fields of unexpected types");
        }
        connection.setAccessible(true);
        queue.setAccessible(true);
        direct.setAccessible(true);
        return new Swap(connection, queue, direct);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.info("WebSocket connections keep Vert.x's write queue (about 5 KB each): {}", e.toString());
        return null;
      }
    }
  }
}
