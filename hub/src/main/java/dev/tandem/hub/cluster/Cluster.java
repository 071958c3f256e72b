package dev.tandem.hub.cluster;

import dev.tandem.hub.store.Sql;
import dev.tandem.hub.stream.CommittedBatch;
import dev.tandem.hub.stream.Stamp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several hubs on one Postgres. Postgres stays the only source of truth: after its commits a
 * node sends a {@code NOTIFY} naming the streams and offsets it wrote — a hint, never the
 * payload. Nodes with local readers of those streams read the new rows by offset
 * and publish them exactly like their own commits.
 *
 * <p>Hints can be lost (a listener reconnecting), coalesced or reordered. Readers already
 * tolerate that (they drop what they have by offset and re-read on a gap); what remains is
 * noticing a move at all, so every {@code tail-check-ms} the node compares the tails of the
 * streams it has readers for with what it last published, and after its listener reconnects
 * it does so at once.
 */
public final class Cluster {

  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);
  public static final String STREAMS = "tandem_streams";
  public static final String APPROVALS = "tandem_approvals";
  public static final String POLICIES = "tandem_policies";
  public static final String PRESENCE = "tandem_presence";
  public static final String REMOVED = "tandem_removed";
  public static final String CURSORS = "tandem_cursors";
  public static final String FORKED = "tandem_forked";
  /** Each node's NOTIFY to itself, proving its listener still hears ({@link #ping}). */
  public static final String PING = "tandem_ping";
  private static final long MIN_DEAF_AFTER_MS = 3000;
  private static final int MAX_PAYLOAD = 7000;

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final String nodeId = UUID.randomUUID().toString().substring(0, 8);
  private final Map<Long, Long> published = new ConcurrentHashMap<>();
  private final Map<String, Handler<String>> handlers = new ConcurrentHashMap<>();
  private Consumer<CommittedBatch> publisher = batch -> { };
  private Supplier<Set<Long>> interest = Set::of;
  private final Context hintContext;
  private final List<String> hints = new ArrayList<>();
  private final AtomicBoolean hintScheduled = new AtomicBoolean();
  private boolean hintInFlight;
  private PgSubscriber subscriber;
  private volatile boolean listening;
  private long timer = -1;
  private long deafAfterMs = MIN_DEAF_AFTER_MS;
  private final AtomicLong pingUnansweredSince = new AtomicLong(-1);
  private volatile long pingHeardAt = -1;

  public Cluster(Vertx vertx, Pool pool, PgConnectOptions connectOptions) {
    this.vertx = vertx;
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.hintContext = vertx.getOrCreateContext();
  }

  public String nodeId() {
    return nodeId;
  }

  public boolean listening() {
    return listening;
  }

  /**
   * Starts listening. {@code publisher} receives batches other nodes committed, for streams in
   * {@code interest} (the streams this node has live readers for).
   */
  public Future<Void> start(Consumer<CommittedBatch> publisher, Supplier<Set<Long>> interest, long tailCheckMs) {
    this.publisher = publisher;
    this.interest = interest;
    subscriber = PgSubscriber.subscriber(vertx, new PgConnectOptions(connectOptions));
    subscriber.reconnectPolicy(attempt -> Math.min(5_000L, 100L << Math.min(attempt, 6)));
    subscriber.closeHandler(v -> {
      listening = false;
      LOG.warn("cluster listener disconnected; reconnecting");
    });
    subscriber.channel(STREAMS).handler(this::onStreams).subscribeHandler(v -> {
      listening = true;
      checkTails(); // whatever was missed while not listening
    });
    for (String channel : List.of(APPROVALS, POLICIES, PRESENCE, REMOVED, CURSORS, FORKED)) {
      subscriber.channel(channel).handler(payload -> onOther(channel, payload));
    }
    subscriber.channel(PING).handler(payload -> {
      if (payload.equals(nodeId)) {
        pingHeardAt = System.currentTimeMillis();
        pingUnansweredSince.set(-1);
      }
    });
    deafAfterMs = Math.max(MIN_DEAF_AFTER_MS, 3 * tailCheckMs);
    timer = vertx.setPeriodic(tailCheckMs, id -> {
      checkTails();
      ping();
    });
    return subscriber.connect();
  }

  /** Handles hints on {@code channel} sent by other nodes (the payload without the node prefix). */
  public void on(String channel, Handler<String> handler) {
    handlers.put(channel, handler);
  }

  /** Sends {@code message} to the other nodes on {@code channel}. */
  public void send(String channel, String message) {
    pgNotify(channel, nodeId + "|" + message)
        .onFailure(e -> LOG.debug("cluster hint on {} not sent: {}", channel, e.toString()));
  }

  private Future<Void> pgNotify(String channel, String payload) {
    return pool.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(channel, payload)).mapEmpty();
  }

  /**
   * Tells the other nodes where {@code batch} wrote. Hints go out after the commit, not inside
   * it: a {@code NOTIFY} in a transaction takes a database-wide lock until that transaction's
   * commit record is flushed, which would make every commit wait for every other one's fsync.
   * Hints queued while one is in flight are coalesced into the next. A hint lost to a crash
   * right after a commit is made up for by the tail check.
   */
  public void committed(CommittedBatch batch) {
    String entry = batch.streamId() + ":" + batch.firstSeq() + ":" + batch.nextSeq() + (batch.closed() ? ":c" : "") + ";";
    synchronized (hints) {
      hints.add(entry);
    }
    if (hintScheduled.compareAndSet(false, true)) {
      hintContext.runOnContext(v -> sendHints());
    }
  }

  /** On the hint context: sends everything queued, one {@code NOTIFY} per payload, one round at a time. */
  private void sendHints() {
    hintScheduled.set(false);
    if (hintInFlight) {
      return; // the round in flight sends the rest when it completes
    }
    List<String> entries;
    synchronized (hints) {
      if (hints.isEmpty()) {
        return;
      }
      entries = new ArrayList<>(hints);
      hints.clear();
    }
    List<String> payloads = new ArrayList<>();
    for (String packed : pack(entries, "", MAX_PAYLOAD - nodeId.length() - 1)) {
      payloads.add(nodeId + "|" + packed);
    }
    hintInFlight = true;
    pool.preparedQuery(Sql.load("cluster/notify.sql"))
        .execute(Tuple.of(STREAMS, (Object) payloads.toArray(new String[0])))
        .onComplete(result -> {
          hintInFlight = false;
          if (result.failed()) {
            LOG.debug("cluster hints not sent (the tail check makes up for them): {}", result.cause().toString());
          }
          sendHints();
        });
  }

  /**
   * Joins {@code items} with {@code separator} into as few strings as keep within
   * {@code maxChars} each, for hints (a NOTIFY payload must stay under 8,000 bytes). An item
   * longer than that goes alone; no items give one empty string.
   */
  public static List<String> pack(Iterable<String> items, String separator, int maxChars) {
    List<String> packed = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String item : items) {
      if (!current.isEmpty() && current.length() + separator.length() + item.length() > maxChars) {
        packed.add(current.toString());
        current.setLength(0);
      }
      current.append(current.isEmpty() ? "" : separator).append(item);
    }
    packed.add(current.toString());
    return packed;
  }

  /** This node published records of {@code streamId} up to {@code nextSeq} (its own commit, or a read). */
  public void published(long streamId, long nextSeq) {
    published.merge(streamId, nextSeq, Math::max);
  }

  private void onStreams(String payload) {
    int bar = payload.indexOf('|');
    if (bar < 0 || payload.substring(0, bar).equals(nodeId)) {
      return;
    }
    Set<Long> wanted = interest.get();
    for (String entry : payload.substring(bar + 1).split(";")) {
      String[] parts = entry.split(":");
      if (parts.length < 3) {
        continue;
      }
      long streamId = Long.parseLong(parts[0]);
      if (wanted.contains(streamId)) {
        catchUp(streamId, Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      }
    }
  }

  private void onOther(String channel, String payload) {
    int bar = payload.indexOf('|');
    Handler<String> handler = handlers.get(channel);
    if (bar >= 0 && handler != null && !payload.substring(0, bar).equals(nodeId)) {
      handler.handle(payload.substring(bar + 1));
    }
  }

  /**
   * Sends this node a {@code NOTIFY} and checks that the previous ones came back. A listener
   * connection can die without the client noticing (a backend killed at the wrong moment, a
   * half-open TCP connection), and then every hint from the other nodes would be lost: presence,
   * approvals, policy changes. A ping sent (Postgres took it) but not heard within
   * {@code max(3 s, 3 × tail-check-ms)} makes the node close the listener connection, which
   * reconnects and listens again; until then {@code /readyz} says it is not listening.
   */
  private void ping() {
    long now = System.currentTimeMillis();
    long since = pingUnansweredSince.get();
    if (since >= 0 && now - since > deafAfterMs) {
      LOG.warn("cluster listener hears nothing (its own ping of {} ms ago did not come back); reconnecting", now - since);
      listening = false;
      pingUnansweredSince.set(-1);
      PgConnection connection = subscriber.actualConnection();
      if (connection != null) {
        connection.close();
      }
      return;
    }
    pgNotify(PING, nodeId)
        .onSuccess(v -> pingUnansweredSince.compareAndSet(-1, now))
        .onFailure(e -> LOG.debug("cluster ping not sent: {}", e.toString()));
  }

  /** The listener's current connection (null while reconnecting), for tests. */
  PgConnection listenerConnection() {
    return subscriber.actualConnection();
  }

  /** When this node last heard its own ping (epoch millis), or -1: its listener's last sign of life. */
  public long pingHeardAt() {
    return pingHeardAt;
  }

  /** Compares the tails of the streams this node has readers for with what it published. */
  void checkTails() {
    Set<Long> wanted = interest.get();
    published.keySet().retainAll(wanted);
    if (wanted.isEmpty()) {
      return;
    }
    pool.preparedQuery(Sql.load("cluster/tails.sql")).execute(Tuple.of((Object) wanted.toArray(new Long[0])))
        .onSuccess(rows -> {
          for (Row row : rows) {
            long id = row.getLong("id");
            long tail = row.getLong("tail_seq");
            Long seen = published.putIfAbsent(id, tail);
            if (seen == null) {
              publisher.accept(new CommittedBatch(id, row.getString("path"), row.getString("content_type"),
                  tail, List.of(), row.getBoolean("closed"))); // first sight: wake readers to look for themselves
            } else if (tail > seen) {
              catchUp(id, seen, tail);
            }
          }
        })
        .onFailure(e -> LOG.debug("tail check skipped: {}", e.toString()));
  }

  /** Reads records [from, to) of a stream another node wrote and publishes them here. */
  private void catchUp(long streamId, long from, long to) {
    long start = Math.min(from, published.getOrDefault(streamId, from));
    pool.preparedQuery(Sql.load("cluster/tails.sql")).execute(Tuple.of((Object) new Long[] {streamId}))
        .compose(meta -> {
          if (meta.size() == 0) {
            return Future.succeededFuture();
          }
          Row stream = meta.iterator().next();
          // At most one page per hint: readers that are further behind catch up from Postgres themselves.
          long end = Math.min(Math.max(to, stream.getLong("tail_seq")), start + 4096);
          return pool.preparedQuery(Sql.load("cluster/read-batch.sql")).execute(Tuple.of(streamId, start, end))
              .map(rows -> {
                List<Buffer> records = new ArrayList<>();
                List<Stamp> stamps = new ArrayList<>();
                boolean stamped = false;
                long first = -1;
                for (Row row : rows) {
                  if (first < 0) {
                    first = row.getLong(0);
                  }
                  records.add(row.getBuffer(1));
                  Stamp stamp = Stamp.of(row.getString(3), row.getString(2));
                  stamps.add(stamp);
                  stamped |= !stamp.isNone();
                }
                if (first < 0) {
                  first = end;
                }
                published(streamId, first + records.size());
                publisher.accept(new CommittedBatch(streamId, stream.getString("path"),
                    stream.getString("content_type"), first, records, stream.getBoolean("closed"),
                    stamped ? stamps : null));
                return null;
              });
        })
        .onFailure(e -> LOG.debug("cluster catch-up of stream {} deferred to the next tail check: {}", streamId, e.toString()));
  }

  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
