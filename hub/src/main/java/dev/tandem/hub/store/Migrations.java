package dev.tandem.hub.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the numbered SQL files listed in {@code db/migration/index.txt}, each once, in order,
 * all pending ones in one transaction (a failed migration leaves the schema as it was). A
 * transaction-scoped advisory lock makes concurrent start-ups of several hubs on one database
 * safe: one applies, the others see it applied.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final long LOCK_KEY = 0x7A4D_3E11L;

  private Migrations() {}

  public static Future<Integer> apply(Pool pool) {
    List<String> files = Sql.read("db/migration/index.txt").lines()
        .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    return pool.withTransaction(conn -> conn
        .query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute()
        // "relation already exists, skipping" on every start is not worth a warning in the log.
        .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
            + "version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            .execute())
        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getInteger(0));
          }
          Future<Integer> chain = Future.succeededFuture(0);
          for (String file : files) {
            int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
            if (!applied.contains(version)) {
              chain = chain.compose(count -> applyOne(conn, version, file).map(count + 1));
            }
          }
          return chain;
        }))
        .onSuccess(count -> {
          if (count > 0) {
            LOG.info("applied {} schema migration(s)", count);
          }
        });
  }

  private static Future<Void> applyOne(SqlConnection conn, int version, String file) {
    return conn.query(Sql.read("db/migration/" + file)).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .execute(Tuple.of(version, file)))
        .mapEmpty();
  }
}
