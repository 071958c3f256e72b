package dev.tandem.hub.cursor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.governance.access.ScopeMatcher;
import dev.tandem.hub.auth.Access;
import dev.tandem.hub.http.Bodies;
import dev.tandem.hub.http.ChangeWait;
import dev.tandem.hub.http.Params;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.presence.PresenceRegistry;
import dev.tandem.hub.stream.LiveTail;
import dev.tandem.hub.stream.Offsets;
import dev.tandem.hub.stream.StreamPaths;
import dev.tandem.hub.stream.StreamStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Supplier;

/**
 * A participant's own view over HTTP: cursors ({@code /v1/cursors/{stream}}), the inbox
 * ({@code /v1/inbox}) and presence ({@code /v1/presence/{stream}}).
 */
public final class ParticipantRoutes {

  public static final String CURSORS = "/v1/cursors/";
  public static final String INBOX = "/v1/inbox";
  public static final String PRESENCE = "/v1/presence/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final StreamStore store;
  private final CursorStore cursors;
  private final PresenceRegistry presence;
  private final LiveTail liveTail;
  private final CallerLimits limits;

  public ParticipantRoutes(Vertx vertx, StreamStore store, CursorStore cursors, PresenceRegistry presence,
                           LiveTail liveTail, CallerLimits limits) {
    this.vertx = vertx;
    this.store = store;
    this.cursors = cursors;
    this.presence = presence;
    this.liveTail = liveTail;
    this.limits = limits;
  }

  public static boolean matches(String path) {
    return path.equals(INBOX) || path.startsWith(CURSORS) || path.startsWith(PRESENCE);
  }

  /**
   * Serves the request for {@code participant} (the token's subject, or the {@code participant}
   * parameter when authentication is off), checking {@code principal}'s read access per stream.
   */
  public void handle(HttpServerRequest request, Principal principal, String participant) {
    Responses.serve(request, () -> dispatch(request, principal, participant));
  }

  private Future<?> dispatch(HttpServerRequest request, Principal principal, String participant) {
    String path = request.path();
    if (path.equals(INBOX) && request.method() == HttpMethod.GET) {
      return inbox(request, principal, participant(participant));
    }
    if (path.startsWith(CURSORS) && request.method() == HttpMethod.GET) {
      return getCursor(request, participant(participant), readable(principal, path.substring(CURSORS.length())));
    }
    if (path.startsWith(CURSORS) && request.method() == HttpMethod.PUT) {
      return putCursor(request, participant(participant), readable(principal, path.substring(CURSORS.length())));
    }
    if (path.startsWith(PRESENCE) && request.method() == HttpMethod.GET) {
      return present(request, readable(principal, path.substring(PRESENCE.length())));
    }
    throw TandemError.of(405, "method_not_allowed", request.method() + " is not supported on " + path);
  }

  private static String readable(Principal principal, String rawPath) {
    String stream = StreamPaths.validate(rawPath);
    Access.require(principal, Action.READ, stream);
    return stream;
  }

  private static String participant(String participant) {
    if (participant == null || participant.isEmpty()) {
      throw TandemError.of(401, "participant_required", "say who you are (the participant query parameter or a token)");
    }
    return participant;
  }

  /**
   * The inbox, answered at once; or, with {@code If-None-Match} naming the inbox the caller has
   * and {@code wait}, when it changes ({@code 200}: a listed stream moved, or one of the
   * participant's cursors was stored, on any node) or the wait ends ({@code 304}). A waiting
   * inbox holds one of the caller's long-lived connections.
   */
  private Future<Void> inbox(HttpServerRequest request, Principal principal, String participant) {
    int limit = Params.bounded(request, "limit", 50, 1, 500);
    Supplier<Future<List<CursorStore.InboxEntry>>> query = () -> cursors.inbox(participant, limit)
        // followed once, but this token may not read it (any more)
        .map(entries -> entries.stream().filter(e -> ScopeMatcher.allows(principal, Action.READ, e.stream())).toList());
    return ChangeWait.serve(vertx, request, limits, principal, query, ParticipantRoutes::etag, (first, look) -> {
      Context context = vertx.getOrCreateContext();
      List<LiveTail.Waiter> moves = first.stream().map(e -> liveTail.watch(e.streamId(), context, look)).toList();
      Runnable cursorsStored = cursors.watch(participant, context, look);
      return () -> {
        moves.forEach(LiveTail.Waiter::cancel);
        cursorsStored.run();
      };
    }, entries -> {
      ObjectNode body = JSON.createObjectNode().put("participant", participant);
      ArrayNode streams = body.putArray("streams");
      for (CursorStore.InboxEntry e : entries) {
        streams.addObject().put("stream", e.stream()).put("tail", Offsets.format(e.tailSeq()))
            .put("cursor", Offsets.format(e.cursorSeq())).put("unread", e.unread())
            .put("lastActivity", DateTimeFormatter.ISO_INSTANT.format(e.lastActivity()))
            .put("closed", e.closed());
      }
      return body;
    });
  }

  private static String etag(List<CursorStore.InboxEntry> entries) {
    return ChangeWait.etag(entries.stream().map(e -> e.stream() + "|" + e.tailSeq() + "|" + e.cursorSeq() + "|"
        + e.closed() + "|" + e.lastActivity().toInstant()).toList());
  }

  private Future<Void> getCursor(HttpServerRequest request, String participant, String path) {
    return store.find(path).compose(stream -> cursors.find(participant, stream.id()).map(cursor -> {
      Responses.json(request, 200, cursorBody(path, cursor, stream.tailSeq()));
      return null;
    }));
  }

  private Future<Void> putCursor(HttpServerRequest request, String participant, String path) {
    return Bodies.read(request, 4096).compose(body -> {
      JsonNode json;
      try {
        json = JSON.readTree(body.getBytes());
      } catch (IOException e) {
        throw TandemError.badRequest("invalid_json", "the body must be {\"offset\": \"...\", \"reset\": false}");
      }
      if (json == null || !json.path("offset").isTextual()) {
        throw TandemError.badRequest("invalid_cursor", "the body must be {\"offset\": \"...\", \"reset\": false}");
      }
      long offset = Offsets.parse(json.get("offset").asText());
      boolean reset = json.path("reset").asBoolean(false);
      return store.find(path).compose(stream -> {
        if (offset > stream.tailSeq()) {
          throw TandemError.badRequest("offset_out_of_range", "cannot acknowledge past the stream's tail");
        }
        Future<Long> saved = reset ? cursors.reset(participant, stream.id(), offset)
            : cursors.advance(participant, stream.id(), offset);
        return saved.map(cursor -> {
          Responses.json(request, 200, cursorBody(path, cursor, stream.tailSeq()));
          return null;
        });
      });
    });
  }

  private static ObjectNode cursorBody(String path, Long cursor, long tail) {
    ObjectNode body = JSON.createObjectNode().put("stream", path);
    if (cursor == null) {
      body.putNull("cursor");
    } else {
      body.put("cursor", Offsets.format(cursor));
    }
    return body.put("tail", Offsets.format(tail));
  }

  private Future<Void> present(HttpServerRequest request, String path) {
    return store.find(path).map(stream -> {
      ObjectNode body = JSON.createObjectNode().put("stream", path);
      ArrayNode members = body.putArray("present");
      for (PresenceRegistry.Member m : presence.present(stream.id())) {
        ObjectNode member = members.addObject().put("participant", m.participant()).put("kind", m.kind());
        member.set("state", m.state());
      }
      Responses.json(request, 200, body);
      return null;
    });
  }


}
