package dev.tandem.hub;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two hub nodes, each with a Vert.x of its own, sharing one Postgres (the first hub's embedded
 * one), as a deployment of several hubs would.
 */
public final class TwoHubs implements AutoCloseable {

  public final Vertx vertxA;
  public final Vertx vertxB;
  public final TestHub a;
  public final TestHub b;

  private TwoHubs(Vertx vertxA, Vertx vertxB, TestHub a, TestHub b) {
    this.vertxA = vertxA;
    this.vertxB = vertxB;
    this.a = a;
    this.b = b;
  }

  /** Starts both with the same {@code settings} (name, value, ...). */
  public static TwoHubs start(String... settings) throws Exception {
    Vertx vertxA = Vertx.vertx();
    Vertx vertxB = Vertx.vertx();
    TestHub a = TestHub.start(vertxA, settings);
    List<String> onShared = new ArrayList<>(List.of(settings));
    onShared.add("database-url");
    onShared.add("postgres://postgres:postgres@localhost:" + a.hub().database().connectOptions().getPort() + "/postgres");
    TestHub b = TestHub.start(vertxB, onShared.toArray(new String[0]));
    return new TwoHubs(vertxA, vertxB, a, b);
  }

  @Override
  public void close() throws Exception {
    b.close();
    a.close();
    vertxB.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertxA.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
