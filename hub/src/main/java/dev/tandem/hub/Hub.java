package dev.tandem.hub;

import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.cursor.CursorStore;
import dev.tandem.hub.cursor.ParticipantRoutes;
import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.ws.WsHub;
import dev.tandem.hub.http.HttpServerVerticle;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Database;
import dev.tandem.hub.stream.CollapseCursor;
import dev.tandem.hub.stream.GroupCommitter;
import dev.tandem.hub.stream.LiveTail;
import dev.tandem.hub.stream.StreamReader;
import dev.tandem.hub.stream.StreamRoutes;
import dev.tandem.hub.stream.StreamStore;
import dev.tandem.hub.subscription.SubscriptionRoutes;
import dev.tandem.hub.subscription.Subscriptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: starts the database, wires the components and opens the HTTP port.
 * Tests start a {@code Hub} in-process exactly as {@link Main} does.
 */
public final class Hub {

  private static final Logger LOG = LoggerFactory.getLogger(Hub.class);
  private static final long SWEEP_INTERVAL_MS = 1_000;

  private final Vertx vertx;
  private final HubConfig config;
  private Database database;
  private StreamStore store;
  private WsHub wsHub;
  private Subscriptions subscriptions;
  private int port;
  private long sweeper = -1;
  private String deployment;

  private Hub(Vertx vertx, HubConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static Future<Hub> start(Vertx vertx, HubConfig config) {
    Hub hub = new Hub(vertx, config);
    return hub.startComponents().map(hub);
  }

  private Future<Void> startComponents() {
    return Database.start(vertx, config).compose(db -> {
      this.database = db;
      LiveTail liveTail = new LiveTail();
      AtomicReference<WsHub> ws = new AtomicReference<>();
      AtomicReference<Subscriptions> subs = new AtomicReference<>();
      StreamReader reader = new StreamReader(db.pool(), config.readChunkBytes());
      store = new StreamStore(db.pool(), reader, id -> {
        liveTail.moved(id);
        ws.get().deleted(id);
        subs.get().removed(id);
      }, config.maxJsonMessages());
      GroupCommitter committer = new GroupCommitter(vertx, db.pool(), config.commitLanes(),
          config.commitMaxBatch(), config.commitMaxBytes(), batch -> {
            liveTail.moved(batch.streamId());
            ws.get().committed(batch);
            subs.get().committed(batch); // only queues: wake decisions run on the subscriptions' context
          });
      store.onCreated(stream -> subs.get().created(stream));
      CursorStore cursors = new CursorStore(vertx, db.pool());
      PresenceRegistry presence = new PresenceRegistry();
      wsHub = new WsHub(vertx, store, reader, committer, cursors, presence, WsHub.Limits.from(config));
      ws.set(wsHub);
      StreamRoutes streams = new StreamRoutes(vertx, config, store, reader, committer, liveTail,
          new CollapseCursor(Clock.systemUTC()));
      ParticipantRoutes participants = new ParticipantRoutes(store, cursors, presence);
      return Subscriptions.start(vertx, config, db.pool(), store, committer, this::publicUrl).compose(started -> {
        subscriptions = started;
        subs.set(started);
        sweeper = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep());
        return listen(request -> route(request, started.routes(), streams, participants));
      });
    });
  }

  private void route(HttpServerRequest request, SubscriptionRoutes control, StreamRoutes streams,
                     ParticipantRoutes participants) {
    String path = request.path();
    if (SubscriptionRoutes.owns(path)) { // the reserved __ds namespace goes before stream operations
      control.handle(request);
      return;
    }
    if (path.startsWith(StreamRoutes.PREFIX)) {
      streams.handle(request);
      return;
    }
    Responses.securityHeaders(request.response());
    Responses.cors(request, request.response());
    if (path.equals(WsHub.PATH)) {
      wsHub.handle(request);
    } else if (path.equals("/healthz")) {
      request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
    } else if (!participants.handle(request, request.getParam("participant"))) {
      Responses.error(request, TandemError.notFound("no route for " + path));
    }
  }

  public WsHub ws() {
    return wsHub;
  }

  /** Deploys one HTTP verticle per configured instance, all sharing one port (port 0: a free one). */
  private Future<Void> listen(io.vertx.core.Handler<HttpServerRequest> handler) {
    AtomicReference<HttpServerVerticle> last = new AtomicReference<>();
    return vertx.deployVerticle(() -> {
      HttpServerVerticle verticle = new HttpServerVerticle(config.host(), config.port(), config.wsMaxFrameBytes(), handler);
      last.set(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(config.httpInstances())).map(id -> {
      deployment = id;
      port = last.get().actualPort();
      return null;
    });
  }

  private void sweep() {
    store.sweepExpired(100).onFailure(e -> LOG.debug("expiry sweep skipped: {}", e.toString()));
  }

  public int port() {
    return port;
  }

  /** The base URL webhook receivers use to reach this hub: {@code public-url}, or host and port. */
  public String publicUrl() {
    if (config.publicUrl() != null) {
      return config.publicUrl();
    }
    String host = "0.0.0.0".equals(config.host()) || "::".equals(config.host()) ? "localhost" : config.host();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  public Database database() {
    return database;
  }

  public HubConfig config() {
    return config;
  }

  public Future<Void> stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    if (wsHub != null) {
      wsHub.shutdown();
    }
    Future<Void> undeployed = deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment);
    return undeployed
        .compose(v -> subscriptions == null ? Future.succeededFuture() : subscriptions.stop())
        .compose(v -> database == null ? Future.succeededFuture() : database.close(vertx))
        .mapEmpty();
  }
}
