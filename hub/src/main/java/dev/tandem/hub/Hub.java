package dev.tandem.hub;

import dev.tandem.governance.access.Principal;
import dev.tandem.hub.approval.ApprovalRoutes;
import dev.tandem.hub.approval.ApprovalService;
import dev.tandem.hub.approval.PolicyStore;
import dev.tandem.hub.auth.Authenticator;
import dev.tandem.hub.spawn.SpawnService;
import dev.tandem.hub.spawn.TreeRoutes;
import dev.tandem.hub.auth.DevTokens;
import dev.tandem.hub.cluster.Cluster;
import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.cursor.CursorStore;
import dev.tandem.hub.cursor.ParticipantRoutes;
import dev.tandem.hub.observability.HubMetrics;
import dev.tandem.hub.observability.MetricsEndpoint;
import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.ws.WsHub;
import dev.tandem.hub.http.HttpServerVerticle;
import dev.tandem.hub.http.WebClient;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.retention.RetentionSweeper;
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
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
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
  private ApprovalService approvals;
  private SpawnService spawns;
  private Cluster cluster;
  private WebClient webClient;
  private WsHub wsHub;
  private Authenticator authenticator;
  private DevTokens devTokens;
  private Subscriptions subscriptions;
  private HubMetrics metrics;
  private MetricsEndpoint metricsEndpoint;
  private CallerLimits limits;
  private RetentionSweeper retention;
  private int port;
  private long sweeper = -1;
  private long presenceTimer = -1;
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
    return vertx.executeBlocking(() -> Authenticator.create(vertx, config)).compose(auth -> {
      this.authenticator = auth;
      this.limits = new CallerLimits(config.limits(), auth.enabled());
      if (config.auth().devMode() && auth.canMint()) {
        this.devTokens = new DevTokens(auth);
      }
      return Database.start(vertx, config);
    }).compose(db -> {
      this.database = db;
      LiveTail liveTail = new LiveTail();
      AtomicReference<WsHub> ws = new AtomicReference<>();
      AtomicReference<Subscriptions> subs = new AtomicReference<>();
      StreamReader reader = new StreamReader(db.pool(), config.readChunkBytes());
      webClient = new WebClient(vertx);
      PolicyStore policies = new PolicyStore(db.pool());
      cluster = new Cluster(vertx, db.pool(), db.connectOptions());
      java.util.function.LongConsumer removed = id -> {
        liveTail.moved(id);
        ws.get().deleted(id);
        policies.invalidate();
      };
      store = new StreamStore(db.pool(), reader, id -> {
        removed.accept(id);
        ifStarted(subs, sub -> sub.removed(id));
        cluster.send(Cluster.REMOVED, Long.toString(id));
      }, config.maxJsonMessages());
      GroupCommitter committer = new GroupCommitter(vertx, db.pool(), config.commitLanes(),
          config.commitMaxBatch(), config.commitMaxBytes(), batch -> {
            cluster.published(batch.streamId(), batch.nextSeq());
            cluster.committed(batch);
            liveTail.moved(batch.streamId());
            ws.get().committed(batch);
            ifStarted(subs, sub -> sub.committed(batch)); // only queues: wake decisions run on their own context
          });
      store.onCreated(stream -> {
        ifStarted(subs, sub -> sub.created(stream));
        if (stream.forkSource() != null) {
          // A new fork changes its source's tree: wake what waits on the source, here and on the
          // other hubs. Readers of the source wake early and find nothing new, as they may.
          liveTail.moved(stream.forkSource());
          cluster.send(Cluster.FORKED, Long.toString(stream.forkSource()));
        }
      });
      approvals = new ApprovalService(vertx, db.pool(), policies, committer, Clock.systemUTC());
      CursorStore cursors = new CursorStore(vertx, db.pool());
      PresenceRegistry presence = new PresenceRegistry();
      wsHub = new WsHub(vertx, authenticator, store, reader, committer, approvals, cursors, presence,
          WsHub.Limits.from(config), limits);
      ws.set(wsHub);
      observe(db, committer);
      approvals.onChanged(id -> cluster.send(Cluster.APPROVALS, id));
      cursors.onChanged(participants -> cluster.send(Cluster.CURSORS, participants));
      policies.onChange(() -> cluster.send(Cluster.POLICIES, "changed"));
      wsHub.clusterPresence(cluster.nodeId(), change -> cluster.send(Cluster.PRESENCE, cluster.nodeId() + "|" + change));
      cluster.on(Cluster.APPROVALS, approvals::changed);
      cluster.on(Cluster.CURSORS, cursors::changed);
      cluster.on(Cluster.POLICIES, any -> policies.invalidate());
      cluster.on(Cluster.PRESENCE, message -> {
        int bar = message.indexOf('|');
        wsHub.remotePresence(message.substring(0, bar), message.substring(bar + 1));
      });
      cluster.on(Cluster.REMOVED, id -> removed.accept(Long.parseLong(id)));
      cluster.on(Cluster.FORKED, id -> liveTail.moved(Long.parseLong(id)));
      // A node that dies says nothing: while this one has connections it says it is alive (with a
      // digest of its presence, so a node that missed a change asks again), and the presence of
      // nodes silent for cluster-presence-timeout-ms is dropped.
      long presenceTimeout = config.clusterPresenceTimeoutMs();
      presenceTimer = vertx.setPeriodic(presenceTimeout / 3, id -> {
        if (wsHub.connectionCount() > 0) {
          wsHub.heartbeat();
        }
        wsHub.expireSilentNodes(presenceTimeout);
      });
      StreamRoutes streams = new StreamRoutes(vertx, config, store, reader, committer, liveTail,
          new CollapseCursor(Clock.systemUTC()), approvals, limits);
      ParticipantRoutes participants = new ParticipantRoutes(vertx, store, cursors, presence, liveTail, limits);
      ApprovalRoutes approvalRoutes = new ApprovalRoutes(vertx, approvals, store, limits);
      spawns = new SpawnService(db.pool(), store, policies, committer, approvals, authenticator);
      TreeRoutes treeRoutes = new TreeRoutes(vertx, spawns, liveTail, approvals, limits);
      Future<Void> listening = cluster.start(batch -> {
        liveTail.moved(batch.streamId());
        wsHub.committed(batch);
      }, () -> {
        java.util.Set<Long> watched = new java.util.HashSet<>(wsHub.subscribedStreams());
        watched.addAll(liveTail.watchedStreamIds());
        return watched;
      }, config.clusterTailCheckMs());
      // Expire what came due while the hub was down, and append what it still owed, before serving.
      return listening.compose(v -> approvals.sweep()).compose(v -> spawns.resume())
          .compose(v -> Subscriptions.start(vertx, config, db.pool(), store, committer, this::publicUrl))
          .compose(started -> {
            subscriptions = started;
            subs.set(started);
            retention = new RetentionSweeper(vertx, db.pool(), store, config.limits());
            retention.start();
            sweeper = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep());
            return listen(request -> route(request, started.routes(), streams, participants, approvalRoutes, treeRoutes));
          });
    });
  }

  /** Metrics, when enabled: the committer reports each transaction, gauges read the rest. */
  private void observe(Database db, GroupCommitter committer) {
    if (!config.observability().metricsEnabled()) {
      return;
    }
    metrics = new HubMetrics();
    committer.observe(metrics::committed);
    metrics.webSocket(wsHub);
    metrics.pool(db.pool(), config.poolSize());
    metrics.approvals(vertx, approvals::countByState);
    metricsEndpoint = new MetricsEndpoint(vertx, metrics, config.observability().metricsToken());
  }

  /** Subscriptions start last; commits made before (start-up repairs) have no subscriptions to wake yet. */
  private static void ifStarted(AtomicReference<Subscriptions> subs, java.util.function.Consumer<Subscriptions> action) {
    Subscriptions started = subs.get();
    if (started != null) {
      action.accept(started);
    }
  }

  private void route(HttpServerRequest request, SubscriptionRoutes control, StreamRoutes streams,
                     ParticipantRoutes participants, ApprovalRoutes approvalRoutes, TreeRoutes treeRoutes) {
    String path = request.path();
    Responses.securityHeaders(request.response());
    Responses.cors(request, request.response());
    if (request.method() == HttpMethod.OPTIONS) {
      StreamRoutes.preflight(request);
    } else if (path.equals("/healthz")) {
      request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
    } else if (path.equals("/readyz")) {
      ready(request);
    } else if (path.equals(MetricsEndpoint.PATH)) {
      if (metricsEndpoint != null) {
        metricsEndpoint.handle(request);
      } else {
        Responses.error(request, TandemError.notFound("metrics are off (metrics-enabled=false)"));
      }
    } else if (path.equals("/v1/dev/tokens")) {
      devTokens(request);
    } else if (SubscriptionRoutes.owns(path)) { // the reserved __ds namespace goes before stream operations
      subscriptionControl(request, control);
    } else if (path.equals(WsHub.PATH)) {
      boolean hasToken = request.getHeader("Authorization") != null || request.getParam("token") != null;
      authenticated(request, principal -> wsHub.handle(request, principal), !hasToken);
    } else if (path.startsWith(StreamRoutes.PREFIX)) {
      authenticated(request, principal -> streams.handle(request, principal), false);
    } else if (TreeRoutes.matches(path)) {
      authenticated(request, principal -> treeRoutes.handle(request, principal), false);
    } else if (ApprovalRoutes.matches(path)) {
      authenticated(request, principal -> approvalRoutes.handle(request, principal), false);
    } else if (ParticipantRoutes.matches(path)) {
      authenticated(request, principal -> participants.handle(request, principal,
          authenticator.enabled() ? principal.subject() : request.getParam("participant")), false);
    } else if (path.startsWith("/v1/")) {
      Responses.error(request, TandemError.notFound("no route for " + path));
    } else {
      webClient.handle(request);
    }
  }

  /**
   * Verifies the caller, counts the request against the caller's rate, then dispatches. The
   * request is paused meanwhile so no body bytes are lost; the route installs its body handlers
   * synchronously, and only then is it resumed.
   */
  private void authenticated(HttpServerRequest request, Handler<Principal> route, boolean anonymousOk) {
    request.pause();
    Future<Principal> caller = anonymousOk ? Future.succeededFuture(null) : authenticator.authenticate(request);
    caller.onComplete(result -> {
      try {
        if (result.failed()) {
          throw result.cause();
        }
        limits.checkRate(limits.caller(result.result(), request.remoteAddress()));
        route.handle(result.result());
      } catch (Throwable refused) {
        Responses.error(request, refused);
      }
      request.resume();
    });
  }

  /**
   * The protocol's subscription control APIs: webhook callbacks, pull-wake acks and releases
   * carry their own wake tokens, and the signing keys are public; managing subscriptions and
   * claiming wakes needs a token with admin rights over the control namespace.
   */
  private void subscriptionControl(HttpServerRequest request, SubscriptionRoutes control) {
    String path = request.path();
    boolean ownToken = path.endsWith("/callback") || path.endsWith("/ack") || path.endsWith("/release")
        || path.endsWith("/jwks.json");
    if (ownToken) {
      control.handle(request);
      return;
    }
    authenticated(request, principal -> {
      try {
        dev.tandem.hub.auth.Access.require(principal, dev.tandem.governance.access.Action.ADMIN, "__ds");
        control.handle(request);
      } catch (TandemError e) {
        Responses.error(request, e);
      }
    }, false);
  }

  /** Ready: the database answers and this node hears the other nodes. 503 otherwise. */
  private void ready(HttpServerRequest request) {
    database.pool().query("SELECT 1").execute().onComplete(result -> {
      boolean db = result.succeeded();
      boolean listening = cluster.listening();
      io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject()
          .put("status", db && listening ? "ready" : "not ready")
          .put("database", db).put("listener", listening).put("node", cluster.nodeId());
      request.response().setStatusCode(db && listening ? 200 : 503).putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store").end(body.encode());
    });
  }

  /** Development tokens, in dev mode only and only to callers on this machine. */
  private void devTokens(HttpServerRequest request) {
    boolean local = request.remoteAddress() != null && (request.remoteAddress().hostAddress().startsWith("127.")
        || request.remoteAddress().hostAddress().equals("0:0:0:0:0:0:0:1"));
    if (devTokens == null || !local) {
      Responses.error(request, TandemError.notFound("development tokens are only served in dev mode, to this machine"));
      return;
    }
    if (request.method() == HttpMethod.POST) {
      request.body().onSuccess(body -> {
        try {
          String token = devTokens.mint(authenticator, body.length() == 0 ? new io.vertx.core.json.JsonObject()
              : new io.vertx.core.json.JsonObject(body));
          request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
              .putHeader("Cache-Control", "no-store").end(new io.vertx.core.json.JsonObject().put("token", token).encode());
        } catch (io.vertx.core.json.DecodeException e) {
          Responses.error(request, TandemError.badRequest("invalid_json", "the body is not valid JSON"));
        } catch (TandemError e) {
          Responses.error(request, e);
        }
      });
      return;
    }
    request.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(devTokens.toJson().encode());
  }

  public DevTokens devTokens() {
    return devTokens;
  }

  public Authenticator authenticator() {
    return authenticator;
  }

  public RetentionSweeper retention() {
    return retention;
  }

  public CallerLimits limits() {
    return limits;
  }

  public WsHub ws() {
    return wsHub;
  }

  /** Deploys one HTTP verticle per configured instance, all sharing one port (port 0: a free one). */
  private Future<Void> listen(io.vertx.core.Handler<HttpServerRequest> handler) {
    AtomicReference<HttpServerVerticle> last = new AtomicReference<>();
    return vertx.deployVerticle(() -> {
      HttpServerVerticle verticle = new HttpServerVerticle(config.host(), config.port(), config.wsMaxFrameBytes(),
          config.limits().httpIdleTimeoutMs(), config.limits().httpRequestTimeoutMs(), handler);
      last.set(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(config.httpInstances())).map(id -> {
      deployment = id;
      port = last.get().actualPort();
      return null;
    });
  }

  private void sweep() {
    retention.sweepDeleted().onFailure(e -> LOG.debug("expiry sweep skipped: {}", e.toString()));
    limits.forgetIdle();
    approvals.sweep().onFailure(e -> LOG.debug("approval sweep skipped: {}", e.toString()));
    spawns.resume().onFailure(e -> LOG.debug("cancel cascade will resume: {}", e.toString()));
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

  public Cluster cluster() {
    return cluster;
  }

  public Future<Void> stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    if (presenceTimer >= 0) {
      vertx.cancelTimer(presenceTimer);
    }
    if (retention != null) {
      retention.stop();
    }
    if (wsHub != null) {
      wsHub.shutdown();
    }
    if (metrics != null) {
      metrics.close();
    }
    Future<Void> quiet = cluster == null ? Future.succeededFuture() : cluster.stop();
    Future<Void> undeployed = quiet.eventually(() -> deployment == null ? Future.succeededFuture() : vertx.undeploy(deployment));
    return undeployed
        .compose(v -> subscriptions == null ? Future.succeededFuture() : subscriptions.stop())
        .compose(v -> database == null ? Future.succeededFuture() : database.close(vertx))
        .mapEmpty();
  }
}
