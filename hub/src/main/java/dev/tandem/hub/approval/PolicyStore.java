package dev.tandem.hub.approval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.policy.Inheritance;
import dev.tandem.governance.policy.Policy;
import dev.tandem.governance.policy.PolicyException;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.store.Sql;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Policies attached to streams, with a bounded in-memory cache by path: the append path asks
 * for the policy of every JSON append, and nearly all streams have none. Any policy change
 * or stream deletion clears the cache, so a stale policy never outlives its change.
 */
public final class PolicyStore {

  /** A stream's id and effective policy ({@link Policy#EMPTY} when it has none). */
  public record Effective(long streamId, Policy policy) {}

  private static final int CACHE_SIZE = 10_000;

  private final Pool pool;
  private Runnable onChange = () -> { };
  private final Map<String, Effective> cache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Effective> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  public PolicyStore(Pool pool) {
    this.pool = pool;
  }

  /** The effective policy of the stream at {@code path}, or null when there is no such stream. */
  public Future<Effective> effective(String path) {
    synchronized (cache) {
      Effective cached = cache.get(path);
      if (cached != null) {
        return Future.succeededFuture(cached);
      }
    }
    return pool.preparedQuery(Sql.load("approval/find-policy.sql")).execute(Tuple.of(path)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Policy policy = Policy.EMPTY;
      long streamId = 0;
      for (Row row : rows) { // root first, the stream itself last
        streamId = row.getLong(0);
        Object document = row.getValue(1);
        if (document != null) {
          policy = inherit(policy, parse(document));
        }
      }
      Effective effective = new Effective(streamId, policy);
      synchronized (cache) {
        cache.put(path, effective);
      }
      return effective;
    });
  }

  public Future<Policy> put(long streamId, JsonNode document) {
    Policy policy;
    try {
      policy = Policy.parse(document);
    } catch (PolicyException e) {
      return Future.failedFuture(TandemError.badRequest("invalid_policy", e.getMessage()));
    }
    return pool.preparedQuery(Sql.load("approval/put-policy.sql"))
        .execute(Tuple.of(streamId, new JsonObject(policy.toJson().toString())))
        .map(v -> {
          invalidate();
          onChange.run();
          return policy;
        });
  }

  /**
   * Applies a descendant's own policy under its ancestors'. A child policy is checked when it
   * is set; if an ancestor has since become stricter, the ancestors' rules win outright.
   */
  static Policy inherit(Policy ancestors, Policy own) {
    return Policy.inherit(ancestors, own) instanceof Inheritance.Effective effective ? effective.policy() : ancestors;
  }

  /** Sets a stream's own policy, refusing one that would widen what it inherits. */
  public Future<Policy> put(long streamId, String parentPath, JsonNode document) {
    Policy policy;
    try {
      policy = Policy.parse(document);
    } catch (PolicyException e) {
      return Future.failedFuture(TandemError.badRequest("invalid_policy", e.getMessage()));
    }
    Future<Effective> inherited = parentPath == null ? Future.succeededFuture(null) : effective(parentPath);
    return inherited.compose(parent -> {
      if (parent != null && Policy.inherit(parent.policy(), policy) instanceof Inheritance.Refused refused) {
        throw TandemError.badRequest("policy_widens_inherited", refused.message());
      }
      return put(streamId, document);
    });
  }

  /** Called after this node changes a policy (to tell other nodes). */
  public void onChange(Runnable listener) {
    this.onChange = listener;
  }

  public void invalidate() {
    synchronized (cache) {
      cache.clear();
    }
  }

  private static Policy parse(Object document) {
    try {
      return Policy.parse(ApprovalCodec.JSON.readTree(document.toString()));
    } catch (Exception e) {
      throw new IllegalStateException("stored policy is unreadable", e);
    }
  }
}
