package dev.tandem.hub.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The presence other hub nodes announced, by node, and when each was last heard from. A node
 * that crashes or loses Postgres sends no "left" for its participants; once it has been silent
 * for the timeout, {@link #expire} hands back everything it announced, so nobody stays shown
 * as here forever. Changes arrive on the cluster listener and expiry runs on a timer, so the
 * methods are synchronized (both are rare next to appends).
 */
public final class RemotePresence {

  /** One participant on one stream through one connection of another node. */
  public record Entry(long streamId, String path, String connection, String participant) {}

  private final Map<String, Map<String, Entry>> byNode = new HashMap<>();
  private final Map<String, Long> lastHeard = new HashMap<>();

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

  private static String key(String connection, long streamId) {
    return streamId + ":" + connection;
  }
}
