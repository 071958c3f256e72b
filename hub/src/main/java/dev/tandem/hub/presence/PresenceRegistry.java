package dev.tandem.hub.presence;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is connected to each stream right now, and what they are doing. Ephemeral by design:
 * kept in memory only, and a member leaves when the last connection that joined it goes.
 *
 * <p>Every change returns the diff to broadcast (or null when nothing visible changed);
 * changes to one stream are serialized on that stream's entry.
 */
public final class PresenceRegistry {

  /** A participant present in a stream. */
  public record Member(String participant, String kind, JsonNode state) {}

  /** What subscribers of a stream are told: exactly one of the lists is non-empty. */
  public record Diff(long streamId, List<Member> joined, List<Member> updated, List<String> left) {}

  private static final class StreamPresence {
    final Map<String, Member> members = new LinkedHashMap<>();
    final Map<String, Set<String>> connections = new HashMap<>(); // participant -> its connections
  }

  private final Map<Long, StreamPresence> streams = new ConcurrentHashMap<>();

  /** Joins (or updates the state of) {@code participant} through {@code connection}. */
  public Diff set(long streamId, String connection, String participant, String kind, JsonNode state) {
    while (true) {
      StreamPresence presence = streams.computeIfAbsent(streamId, id -> new StreamPresence());
      synchronized (presence) {
        if (streams.get(streamId) != presence) {
          continue; // emptied and removed by a concurrent leave: join the fresh entry instead
        }
        return join(presence, streamId, connection, participant, kind, state);
      }
    }
  }

  private static Diff join(StreamPresence presence, long streamId, String connection, String participant,
                           String kind, JsonNode state) {
    Member member = new Member(participant, kind, state);
    Member before = presence.members.put(participant, member);
    presence.connections.computeIfAbsent(participant, p -> new HashSet<>()).add(connection);
    if (before == null) {
      return new Diff(streamId, List.of(member), List.of(), List.of());
    }
    return before.equals(member) ? null : new Diff(streamId, List.of(), List.of(member), List.of());
  }

  /** {@code connection} leaves the stream; the participant leaves when it was its last connection. */
  public Diff leave(long streamId, String connection, String participant) {
    StreamPresence presence = streams.get(streamId);
    if (presence == null) {
      return null;
    }
    synchronized (presence) {
      Set<String> open = presence.connections.get(participant);
      if (open == null || !open.remove(connection)) {
        return null;
      }
      if (!open.isEmpty()) {
        return null;
      }
      presence.connections.remove(participant);
      presence.members.remove(participant);
      if (presence.members.isEmpty()) {
        streams.remove(streamId, presence);
      }
      return new Diff(streamId, List.of(), List.of(), List.of(participant));
    }
  }

  public List<Member> present(long streamId) {
    StreamPresence presence = streams.get(streamId);
    if (presence == null) {
      return List.of();
    }
    synchronized (presence) {
      return new ArrayList<>(presence.members.values());
    }
  }
}
