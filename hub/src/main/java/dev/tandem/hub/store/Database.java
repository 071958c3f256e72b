package dev.tandem.hub.store;

import dev.tandem.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/**
 * The hub's connection to Postgres: the embedded server by default, or an external one named
 * by {@code DATABASE_URL}. Both go through the same pool and the same SQL.
 *
 * <p>The pool gives up on a connection after {@code db-timeout-ms}, so a request made while
 * the database is down fails fast (503) instead of hanging; new connections are opened as
 * soon as the database is back.
 */
public final class Database {

  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final EmbeddedDatabase embedded;

  private Database(Pool pool, PgConnectOptions connectOptions, EmbeddedDatabase embedded) {
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.embedded = embedded;
  }

  public static Future<Database> start(Vertx vertx, HubConfig config) {
    Future<EmbeddedDatabase> embedded = config.embeddedDatabase()
        ? vertx.executeBlocking(() -> EmbeddedDatabase.start(config.postgresDataDir()))
        : Future.succeededFuture(null);
    return embedded.compose(pg -> {
      PgConnectOptions options = pg != null
          ? new PgConnectOptions().setHost("localhost").setPort(pg.port())
              .setDatabase("postgres").setUser("postgres").setPassword("postgres")
          : PgConnectOptions.fromUri(config.databaseUrl());
      options.setCachePreparedStatements(true);
      options.setPipeliningLimit(256);
      options.addProperty("application_name", "tandem-hub");
      PoolOptions poolOptions = new PoolOptions()
          .setMaxSize(config.poolSize())
          .setConnectionTimeout((int) config.dbTimeoutMs())
          .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
          .setMaxWaitQueueSize(10_000)
          .setShared(false);
      Pool pool = PgBuilder.pool().with(poolOptions).connectingTo(options).using(vertx).build();
      Database db = new Database(pool, options, pg);
      return Migrations.apply(pool).map(db);
    });
  }

  public Pool pool() {
    return pool;
  }

  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  /** Where the data lives, for the start-up banner. */
  public String describe() {
    if (embedded != null) {
      return "embedded Postgres, data in " + embedded.dataDir() + " (port " + embedded.port() + ")";
    }
    return "Postgres at " + connectOptions.getHost() + ":" + connectOptions.getPort() + "/" + connectOptions.getDatabase();
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  public Future<Void> close(Vertx vertx) {
    return pool.close().compose(v -> embedded == null
        ? Future.<Void>succeededFuture()
        : vertx.executeBlocking(() -> {
          embedded.close();
          return null;
        }));
  }
}
