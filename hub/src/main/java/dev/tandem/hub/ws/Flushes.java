package dev.tandem.hub.ws;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Lets a WebSocket send the replies written in one turn of its event loop with one system call.
 *
 * <p>Vert.x flushes every frame written outside a read, and a flush is a {@code send} to the
 * socket: on loopback, 15–20 µs of CPU each (docs/benchmarks.md). A producer that streams its
 * appends gets their acknowledgements in bursts, since one commit answers all of its appends in
 * that batch, each with its own {@code appended} frame, each completed in its own task.
 * {@link #defer()} holds the socket's flushes until the tasks already queued on its event loop
 * have run, so such a burst reaches the socket as one write, a moment later.
 *
 * <p>Fan-out frames do not defer: each subscriber gets one frame per commit, so there is nothing
 * to merge, and deferring every subscriber's flush, as Netty's {@code FlushConsolidationHandler}
 * does, would cost one more task per subscriber and frame for nothing. Closing the socket sends
 * what is held first.
 */
final class Flushes extends ChannelDuplexHandler {

  /** For connections whose channel cannot be reached: every flush goes at once. */
  static final Flushes NONE = new Flushes();

  private ChannelHandlerContext ctx;
  private boolean holding;
  private boolean held;

  private Flushes() {
  }

  /**
   * Installs a gate on the channel of the WebSocket upgraded from {@code connection}; call on its
   * event loop. Only Vert.x's own connections expose their channel; others get {@link #NONE}.
   */
  static Flushes install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      return NONE;
    }
    Flushes flushes = new Flushes();
    base.channel().pipeline().addFirst(flushes); // nearest the socket: it sees every flush
    return flushes;
  }

  /** Holds this socket's flushes until the event loop's queued tasks have run; on its loop only. */
  void defer() {
    if (ctx == null || holding) {
      return;
    }
    holding = true;
    ctx.channel().eventLoop().execute(this::release);
  }

  private void release() {
    holding = false;
    if (held) {
      held = false;
      ctx.flush();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (holding) {
      held = true;
    } else {
      ctx.flush();
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (held) {
      held = false;
      ctx.flush();
    }
    ctx.close(promise);
  }
}
