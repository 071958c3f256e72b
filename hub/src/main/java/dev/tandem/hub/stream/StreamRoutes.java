package dev.tandem.hub.stream;

import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Principal;
import dev.tandem.hub.approval.ApprovalRoutes;
import dev.tandem.hub.approval.ApprovalService;
import dev.tandem.hub.auth.Access;
import dev.tandem.hub.auth.Authenticator;
import dev.tandem.hub.config.HubConfig;
import dev.tandem.hub.http.Bodies;
import dev.tandem.hub.http.Responses;
import dev.tandem.hub.http.TandemError;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.limits.OpenConnections;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Durable Streams HTTP API under {@code /v1/stream/{path}}: PUT creates (or forks), POST
 * appends or closes, GET reads (catch-up, long-poll, SSE), HEAD describes, DELETE deletes.
 *
 * <p>This class only translates HTTP to calls on {@link StreamStore}, {@link GroupCommitter}
 * and {@link StreamReader} and back; every refusal is a {@link TandemError}, answered by
 * {@link Responses#error}.
 */
public final class StreamRoutes {

  public static final String PREFIX = "/v1/stream/";
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,17}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,16}");
  private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  private static final long MAX_TTL_SECONDS = 100L * 366 * 24 * 3600;
  /** Tandem's extension: the max age of a stream's events, in seconds. */
  public static final String RETENTION = "Tandem-Retention";
  private static final String CACHEABLE = "private, max-age=60, stale-while-revalidate=300";

  private final Vertx vertx;
  private final HubConfig config;
  private final StreamStore store;
  private final StreamReader reader;
  private final GroupCommitter committer;
  private final LiveTail liveTail;
  private final CollapseCursor cursors;
  private final ApprovalService approvals;
  private final CallerLimits limits;

  public StreamRoutes(Vertx vertx, HubConfig config, StreamStore store, StreamReader reader,
                      GroupCommitter committer, LiveTail liveTail, CollapseCursor cursors,
                      ApprovalService approvals, CallerLimits limits) {
    this.vertx = vertx;
    this.limits = limits;
    this.approvals = approvals;
    this.config = config;
    this.store = store;
    this.reader = reader;
    this.committer = committer;
    this.liveTail = liveTail;
    this.cursors = cursors;
  }

  /** Serves one request by {@code principal}, whose token has been verified. */
  public void handle(HttpServerRequest request, Principal principal) {
    HttpServerResponse response = request.response();
    Future<?> handled;
    try {
      String path = StreamPaths.fromUrl(request.path());
      HttpMethod method = request.method();
      if (method == HttpMethod.PUT) {
        Access.require(principal, Action.APPEND, path);
        handled = create(request, principal, path);
      } else if (method == HttpMethod.POST) {
        Access.require(principal, Action.APPEND, path);
        handled = append(request, principal, path);
      } else if (method == HttpMethod.GET) {
        Access.require(principal, Action.READ, path);
        handled = read(request, limits.caller(principal, request.remoteAddress()), path);
      } else if (method == HttpMethod.HEAD) {
        Access.require(principal, Action.READ, path);
        handled = head(request, path);
      } else if (method == HttpMethod.DELETE) {
        Access.require(principal, Action.ADMIN, path);
        handled = store.delete(path).onSuccess(v -> response.setStatusCode(204).end());
      } else {
        throw TandemError.of(405, "method_not_allowed", method + " is not supported on streams")
            .withHeader("Allow", "GET, HEAD, PUT, POST, DELETE, OPTIONS");
      }
    } catch (TandemError e) {
      handled = Future.failedFuture(e);
    }
    handled.onFailure(failure -> Responses.error(request, failure));
  }

  // ---- PUT -------------------------------------------------------------------------------

  private Future<Void> create(HttpServerRequest request, Principal principal, String path) {
    MultiMap h = request.headers();
    String contentType = contentType(h.get("Content-Type"), false);
    Long ttl = ttl(h.get("Stream-TTL"));
    Long retention = retention(h.get(RETENTION));
    OffsetDateTime expiresAt = expiresAt(h.get("Stream-Expires-At"));
    if (ttl != null && expiresAt != null) {
      throw TandemError.badRequest("conflicting_expiry", "send Stream-TTL or Stream-Expires-At, not both");
    }
    CreateRequest.Fork fork = fork(h);
    if (fork != null) {
      Access.require(principal, Action.READ, fork.sourcePath());
    }
    boolean closed = isTrue(h.get("Stream-Closed"));
    return Bodies.read(request, config.maxAppendBytes())
        .compose(body -> store.create(new CreateRequest(path, contentType, ttl, expiresAt, retention, closed, body, fork,
            Authenticator.author(principal))))
        .map(created -> {
          StreamRecord s = created.stream();
          HttpServerResponse response = request.response().setStatusCode(created.isNew() ? 201 : 200);
          if (created.isNew()) {
            response.putHeader("Location", request.absoluteURI());
          }
          response.putHeader("Content-Type", s.contentType());
          response.putHeader("Stream-Next-Offset", Offsets.format(s.tailSeq()));
          if (s.closed()) {
            response.putHeader("Stream-Closed", "true");
          }
          response.end();
          return null;
        });
  }

  private static CreateRequest.Fork fork(MultiMap h) {
    String from = h.get("Stream-Forked-From");
    String offset = h.get("Stream-Fork-Offset");
    String sub = h.get("Stream-Fork-Sub-Offset");
    if (from == null) {
      if (offset != null || sub != null) {
        throw TandemError.badRequest("invalid_fork", "Stream-Fork-Offset and Stream-Fork-Sub-Offset need Stream-Forked-From");
      }
      return null;
    }
    String source = StreamPaths.fromHeader(from);
    if (offset != null) {
      Offsets.parse(offset);
    }
    long subOffset = 0;
    if (sub != null) {
      if (!DECIMAL.matcher(sub).matches()) {
        throw TandemError.badRequest("invalid_fork", "Stream-Fork-Sub-Offset must be a non-negative integer without sign or leading zeros");
      }
      subOffset = Long.parseLong(sub);
      if (subOffset > 0 && offset == null) {
        throw TandemError.badRequest("invalid_fork", "Stream-Fork-Sub-Offset needs Stream-Fork-Offset");
      }
    }
    return new CreateRequest.Fork(source, offset, subOffset);
  }

  // ---- POST ------------------------------------------------------------------------------

  private Future<Void> append(HttpServerRequest request, Principal principal, String path) {
    MultiMap h = request.headers();
    boolean close = isTrue(h.get("Stream-Closed"));
    Producer producer = producer(h);
    String streamSeq = h.get("Stream-Seq");
    String contentTypeHeader = h.get("Content-Type");
    String traceparent = Traceparent.parse(h.get("traceparent")); // invalid: ignored (W3C Trace Context)
    return Bodies.read(request, config.maxAppendBytes()).compose(body -> {
      List<Buffer> records;
      String contentType = null;
      if (body.length() == 0) {
        if (!close) {
          throw TandemError.badRequest("empty_body", "an append needs a body (or Stream-Closed: true to close)");
        }
        records = List.of();
      } else {
        contentType = contentType(contentTypeHeader, true);
        records = ContentTypes.isJson(contentType)
            ? JsonMessages.split(body, false, config.maxJsonMessages())
            : List.of(body);
      }
      AppendRequest append = new AppendRequest(path, contentType, records, close, producer, streamSeq, traceparent,
          Authenticator.author(principal));
      return approvals.gate(principal, path, contentType, records, idempotencyKey(request, producer), traceparent)
          .compose(approval -> {
            if (approval != null) {
              ApprovalRoutes.accepted(request, approval, java.time.Instant.now());
              return Future.succeededFuture(null);
            }
            return committer.append(append);
          });
    }).map(ack -> {
      if (ack == null) {
        return null; // held by a gate: answered 202 with the approval
      }
      HttpServerResponse response = request.response();
      // 200 marks new data from an idempotent producer; plain appends, closes and duplicates are 204.
      boolean stored = ack.nextSeq() > ack.firstSeq();
      response.setStatusCode(ack.producer() != null && !ack.duplicate() && stored ? 200 : 204);
      response.putHeader("Stream-Next-Offset", Offsets.format(ack.nextSeq()));
      if (ack.closed()) {
        response.putHeader("Stream-Closed", "true");
      }
      if (ack.producer() != null) {
        response.putHeader("Producer-Epoch", Long.toString(ack.producer().epoch()));
        response.putHeader("Producer-Seq", Long.toString(ack.producerSeq()));
      }
      response.end();
      return null;
    });
  }

  /** What makes a retried gated append find its approval again: Idempotency-Key, or the producer tuple. */
  static String idempotencyKey(HttpServerRequest request, Producer producer) {
    String key = request.getHeader("Idempotency-Key");
    if (key != null && !key.isBlank()) {
      if (key.length() > 256) {
        throw TandemError.badRequest("invalid_header", "Idempotency-Key is at most 256 characters");
      }
      return key;
    }
    return producer == null ? null : "producer:" + producer.id() + ":" + producer.epoch() + ":" + producer.seq();
  }

  private static Producer producer(MultiMap h) {
    String id = h.get("Producer-Id");
    String epoch = h.get("Producer-Epoch");
    String seq = h.get("Producer-Seq");
    if (id == null && epoch == null && seq == null) {
      return null;
    }
    if (id == null || epoch == null || seq == null) {
      throw TandemError.badRequest("invalid_producer", "Producer-Id, Producer-Epoch and Producer-Seq go together");
    }
    if (id.isEmpty()) {
      throw TandemError.badRequest("invalid_producer", "Producer-Id must not be empty");
    }
    return new Producer(id, safeInteger("Producer-Epoch", epoch), safeInteger("Producer-Seq", seq));
  }

  private static long safeInteger(String header, String value) {
    if (!DIGITS.matcher(value).matches() || Long.parseLong(value) > MAX_SAFE_INTEGER) {
      throw TandemError.badRequest("invalid_producer", header + " must be an integer from 0 to 2^53-1");
    }
    return Long.parseLong(value);
  }

  // ---- GET -------------------------------------------------------------------------------

  /**
   * A catch-up, long-poll or SSE read. {@code -1} (or no offset) begins at the first retained
   * record; any other offset is read exactly, and is {@code 410 offset_gone} when retention
   * deleted the records there. A live read holds one of the caller's connections until it ends.
   */
  private Future<Void> read(HttpServerRequest request, String caller, String path) {
    List<String> offsets = request.params().getAll("offset");
    if (offsets.size() > 1) {
      throw TandemError.badRequest("invalid_offset", "give one offset parameter");
    }
    String offset = offsets.isEmpty() ? null : offsets.get(0);
    String live = request.getParam("live");
    if (live != null && !live.equals("long-poll") && !live.equals("sse")) {
      throw TandemError.badRequest("invalid_live_mode", "live must be long-poll or sse");
    }
    if (live != null && offset == null) {
      throw TandemError.badRequest("invalid_offset", "live reads need an offset (use -1 for the beginning or now for the tail)");
    }
    if (offset != null && !offset.equals(Offsets.BEGINNING) && !offset.equals(Offsets.NOW)) {
      Offsets.parse(offset);
    }
    StreamReader.Start start = offset == null || offset.equals(Offsets.BEGINNING)
        ? StreamReader.Start.FIRST_RETAINED : StreamReader.Start.EXACT;
    OpenConnections.Permit permit = live == null ? null : limits.openConnection(caller);
    Future<Void> served = store.find(path).compose(stream -> {
      long from = offset == null || offset.equals(Offsets.BEGINNING) ? 0
          : offset.equals(Offsets.NOW) ? stream.tailSeq() : Offsets.parse(offset);
      if (from > stream.tailSeq()) {
        throw TandemError.badRequest("offset_out_of_range",
            "offset " + offset + " is past the stream's tail " + Offsets.format(stream.tailSeq()));
      }
      Future<Void> touched = store.touch(stream);
      if ("sse".equals(live)) {
        return touched.onSuccess(v -> new SseSession(request, stream, from, start, store, reader, cursors, permit)
            .start(vertx, liveTail, stream.id(), config.sseMaxMs()));
      }
      if ("long-poll".equals(live)) {
        return touched.compose(v -> LongPoll.start(vertx, liveTail, store, reader, request, stream, from, start,
            permit, config.longPollTimeoutMs(), this::respondWithData, this::respondNoData));
      }
      if (Offsets.NOW.equals(offset)) {
        return touched.onSuccess(v -> respondAtTail(request, stream));
      }
      return touched.compose(v -> reader.read(stream, from, start))
          .<Void>map(chunk -> {
            respondWithData(request, stream, chunk, false);
            return null;
          });
    });
    // A live read that failed before its session started gives its connection back at once;
    // once started, the session releases it when it ends.
    return permit == null ? served : served.onFailure(failure -> permit.release());
  }

  /** {@code offset=now} in catch-up mode: no data, just where the tail is. */
  private void respondAtTail(HttpServerRequest request, StreamRecord stream) {
    HttpServerResponse response = request.response().setStatusCode(200);
    response.putHeader("Content-Type", stream.contentType());
    response.putHeader("Stream-Next-Offset", Offsets.format(stream.tailSeq()));
    response.putHeader("Stream-Up-To-Date", "true");
    response.putHeader("Cache-Control", "no-store");
    if (stream.closed()) {
      response.putHeader("Stream-Closed", "true");
    }
    response.end(stream.isJson() ? Buffer.buffer("[]") : Buffer.buffer());
  }

  void respondWithData(HttpServerRequest request, StreamRecord stream, ReadChunk chunk, boolean live) {
    HttpServerResponse response = request.response().setStatusCode(200);
    boolean closedAtEnd = stream.closed() && chunk.upToDate();
    response.putHeader("Content-Type", stream.contentType());
    response.putHeader("Stream-Next-Offset", Offsets.format(chunk.nextSeq()));
    if (!chunk.isEmpty()) {
      // Where the records begin: a read from -1 starts at the first record retention kept,
      // and a byte stream's body does not say where its records meet.
      response.putHeader("Tandem-First-Offset", Offsets.format(chunk.fromSeq()));
    }
    if (chunk.upToDate()) {
      response.putHeader("Stream-Up-To-Date", "true");
    }
    if (closedAtEnd) {
      response.putHeader("Stream-Closed", "true");
    }
    if (live && !closedAtEnd) {
      response.putHeader("Stream-Cursor", cursors.next(request.getParam("cursor")));
    }
    String etag = "\"" + stream.id() + ":" + Offsets.format(chunk.fromSeq()) + ":"
        + Offsets.format(chunk.nextSeq()) + (closedAtEnd ? ":c" : "") + "\"";
    response.putHeader("ETag", etag);
    response.putHeader("Cache-Control", chunk.isEmpty() ? "no-store" : CACHEABLE);
    if (etag.equals(request.getHeader("If-None-Match"))) {
      response.setStatusCode(304).end();
      return;
    }
    if (stream.contentType().equals(ContentTypes.DEFAULT)) {
      response.putHeader("Content-Disposition", "attachment");
    }
    response.end(chunk.body(stream.isJson()));
  }

  void respondNoData(HttpServerRequest request, StreamRecord stream, long tail) {
    HttpServerResponse response = request.response().setStatusCode(204);
    response.putHeader("Stream-Next-Offset", Offsets.format(tail));
    response.putHeader("Stream-Up-To-Date", "true");
    response.putHeader("Cache-Control", "no-store");
    if (stream.closed()) {
      response.putHeader("Stream-Closed", "true");
    } else {
      response.putHeader("Stream-Cursor", cursors.next(request.getParam("cursor")));
    }
    response.end();
  }

  // ---- HEAD, OPTIONS ---------------------------------------------------------------------

  private Future<Void> head(HttpServerRequest request, String path) {
    return store.find(path).map(stream -> {
      HttpServerResponse response = request.response().setStatusCode(200);
      response.putHeader("Content-Type", stream.contentType());
      response.putHeader("Stream-Next-Offset", Offsets.format(stream.tailSeq()));
      response.putHeader("Cache-Control", "no-store");
      if (stream.ttlSeconds() != null) {
        response.putHeader("Stream-TTL", Long.toString(stream.ttlSeconds()));
      }
      if (stream.expiresAt() != null) {
        response.putHeader("Stream-Expires-At", DateTimeFormatter.ISO_INSTANT.format(stream.expiresAt()));
      }
      Long retention = stream.retentionSeconds() != null ? stream.retentionSeconds()
          : config.limits().retentionDefaultSeconds();
      if (retention != null) {
        response.putHeader(RETENTION, Long.toString(retention));
      }
      if (stream.closed()) {
        response.putHeader("Stream-Closed", "true");
      }
      response.end();
      return null;
    });
  }

  /** CORS preflight, answered for every path without authentication. */
  public static void preflight(HttpServerRequest request) {
    HttpServerResponse response = request.response().setStatusCode(204);
    String origin = request.getHeader("Origin");
    response.putHeader("Access-Control-Allow-Origin", origin == null ? "*" : origin);
    response.putHeader("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE, OPTIONS");
    response.putHeader("Access-Control-Allow-Headers", Responses.ALLOWED_HEADERS);
    response.putHeader("Access-Control-Max-Age", "600");
    response.end();
  }

  // ---- header parsing --------------------------------------------------------------------

  private static String contentType(String header, boolean required) {
    if (header == null || header.isBlank()) {
      if (required) {
        throw TandemError.badRequest("missing_content_type", "an append with a body needs a Content-Type");
      }
      return null;
    }
    String normalized = ContentTypes.normalize(header);
    if (normalized == null) {
      throw TandemError.badRequest("invalid_content_type", "Content-Type '" + header + "' is not a media type");
    }
    return normalized;
  }

  private static Long ttl(String header) {
    if (header == null) {
      return null;
    }
    if (!DECIMAL.matcher(header).matches()) {
      throw TandemError.badRequest("invalid_ttl", "Stream-TTL must be whole seconds, without sign, decimals or leading zeros");
    }
    long seconds = Long.parseLong(header);
    if (seconds > MAX_TTL_SECONDS) {
      throw TandemError.badRequest("invalid_ttl", "Stream-TTL is at most " + MAX_TTL_SECONDS + " seconds (100 years)");
    }
    return seconds;
  }

  /** {@code Tandem-Retention}: whole seconds from 1 to 100 years, like {@code Stream-TTL}. */
  private static Long retention(String header) {
    if (header == null) {
      return null;
    }
    if (!DECIMAL.matcher(header).matches() || header.equals("0")) {
      throw TandemError.badRequest("invalid_retention",
          RETENTION + " must be whole seconds from 1, without sign, decimals or leading zeros");
    }
    long seconds = Long.parseLong(header);
    if (seconds > MAX_TTL_SECONDS) {
      throw TandemError.badRequest("invalid_retention", RETENTION + " is at most " + MAX_TTL_SECONDS + " seconds (100 years)");
    }
    return seconds;
  }

  private static OffsetDateTime expiresAt(String header) {
    if (header == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(header, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      throw TandemError.badRequest("invalid_expires_at", "Stream-Expires-At must be an RFC 3339 timestamp");
    }
  }

  private static boolean isTrue(String header) {
    return header != null && header.equalsIgnoreCase("true");
  }
}
