package dev.tandem.hub.presence;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The presence other hub nodes announced, by node, and when each was last heard from.
 *
 * <p>A node that crashes or loses Postgres sends no "left" for its participants; once it has
 * been silent for the timeout, {@link #expire} hands back everything it announced, so nobody
 * stays shown as here forever. A change lost in transit (hints are, while a listener
 * reconnects) is found by the heartbeat: each carries a {@link #digest} of what its node has
 * announced, and a view that disagrees with it {@link #MISMATCHES_BEFORE_RESYNC} heartbeats in a
 * row asks that node for a snapshot, which {@link #replace}s the view.
 *
 * <p>Changes arrive on the cluster listener and expiry runs on a timer, so the methods are
 * synchronized (all are rare next to appends).
 */
public final class RemotePresence {

  /** Heartbeats that must disagree in a row: one may have overtaken a change still on its way. */
  public static final int MISMATCHES_BEFORE_RESYNC = 2;

  /** One participant on one stream through one connection of another node, as announced ({@code change}). */
  public record Entry(long streamId, String path, String connection, String participant, String change) {}

  private final Map<String, Map<String, Entry>> byNode = new HashMap<>();
  private final Map<String, Long> lastHeard = new HashMap<>();
  private final Map<String, Integer> mismatches = new HashMap<>();
  private final Map<String, Snapshot> snapshots = new HashMap<>();

  /** The parts of one snapshot received so far. */
  private record Snapshot(String id, String[] parts) {}

  /** Anything from {@code node} (a change or a heartbeat) at {@code nowMillis}. */
  public synchronized void heard(String node, long nowMillis) {
    lastHeard.put(node, nowMillis);
  }

  public synchronized void set(String node, Entry entry) {
    byNode.computeIfAbsent(node, n -> new HashMap<>()).put(key(entry.connection(), entry.streamId()), entry);
  }

  public synchronized void left(String node, String connection, long streamId) {
    Map<String, Entry> entries = byNode.get(node);
    if (entries != null && entries.remove(key(connection, streamId)) != null && entries.isEmpty()) {
      byNode.remove(node);
    }
  }

  /**
   * Compares {@code node}'s heartbeat digest with this view of it; true when they have now
   * disagreed {@link #MISMATCHES_BEFORE_RESYNC} times in a row (the count starts again).
   */
  public synchronized boolean disagrees(String node, String digest) {
    List<String> changes = byNode.getOrDefault(node, Map.of()).values().stream().map(Entry::change).toList();
    if (digest(changes).equals(digest)) {
      mismatches.remove(node);
      return false;
    }
    int seen = mismatches.merge(node, 1, Integer::sum);
    if (seen < MISMATCHES_BEFORE_RESYNC) {
      return false;
    }
    mismatches.remove(node);
    return true;
  }

  /**
   * Keeps part {@code part} of {@code parts} of snapshot {@code id} from {@code node}; returns
   * the whole snapshot's changes once every part is in, else null. A newer snapshot replaces
   * an unfinished one.
   */
  public synchronized List<String> snapshotPart(String node, String id, int part, int parts, String changes) {
    Snapshot snapshot = snapshots.get(node);
    if (snapshot == null || !snapshot.id().equals(id) || snapshot.parts().length != parts) {
      snapshot = new Snapshot(id, new String[parts]);
      snapshots.put(node, snapshot);
    }
    snapshot.parts()[part] = changes;
    List<String> all = new ArrayList<>();
    for (String p : snapshot.parts()) {
      if (p == null) {
        return null;
      }
      if (!p.isEmpty()) {
        all.addAll(List.of(p.split("\n")));
      }
    }
    snapshots.remove(node);
    return all;
  }

  /** Replaces everything {@code node} announced with {@code entries}; returns what was there. */
  public synchronized Collection<Entry> replace(String node, Collection<Entry> entries) {
    Map<String, Entry> before = byNode.remove(node);
    Map<String, Entry> after = new HashMap<>();
    entries.forEach(e -> after.put(key(e.connection(), e.streamId()), e));
    if (!after.isEmpty()) {
      byNode.put(node, after);
    }
    return before == null ? List.of() : before.values();
  }

  /** Removes and returns what the nodes not heard from since {@code silentSinceMillis} announced. */
  public synchronized List<Entry> expire(long silentSinceMillis) {
    List<Entry> gone = new ArrayList<>();
    byNode.entrySet().removeIf(node -> {
      boolean silent = lastHeard.getOrDefault(node.getKey(), 0L) < silentSinceMillis;
      if (silent) {
        gone.addAll(node.getValue().values());
      }
      return silent;
    });
    lastHeard.values().removeIf(heard -> heard < silentSinceMillis);
    return gone;
  }

  /**
   * What a node has announced, in a few bytes: the count and an order-free sum of the
   * announcements' hashes. The announcing node computes it over what it sent, a receiver over
   * what it got.
   */
  public static String digest(Collection<String> changes) {
    long sum = 0;
    CRC32C crc = new CRC32C();
    for (String change : changes) {
      crc.reset();
      crc.update(change.getBytes(StandardCharsets.UTF_8));
      sum += ((long) change.hashCode() << 32) | crc.getValue();
    }
    return changes.size() + ":" + Long.toHexString(sum);
  }

  private static String key(String connection, long streamId) {
    return streamId + ":" + connection;
  }
}
