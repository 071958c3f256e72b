package dev.tandem.hub.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.governance.access.Principal;
import dev.tandem.hub.limits.CallerLimits;
import dev.tandem.hub.limits.OpenConnections;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A conditional long-poll over a query: the caller names the answer it has (its ETag, sent as
 * {@code If-None-Match}) and how long it will wait; the query is run again each time something
 * it depends on may have changed, and the first answer with another ETag is returned. When the
 * wait ends first, the answer is whatever the query then gives (the same ETag: a {@code 304}).
 *
 * <p>Wake-ups carry no data and may be early or coalesced: changes during a look cost one more
 * look after it, not one each.
 */
public final class ChangeWait {

  private ChangeWait() {
  }

  /**
   * Serves {@code request} as a conditional long-poll: answered at once; or, with
   * {@code If-None-Match} naming the answer the caller has and {@code wait}, when the answer
   * changes ({@code 200}) or the wait ends ({@code 304}). A waiting request holds one of the
   * caller's long-lived connections ({@code max-connections-per-principal}), given back before
   * the answer goes out, so the caller may ask again at once.
   */
  public static <T> Future<Void> serve(Vertx vertx, HttpServerRequest request, CallerLimits limits, Principal principal,
                                       Supplier<Future<T>> query, Function<T, String> etag,
                                       BiFunction<T, Handler<Void>, Runnable> watch, Function<T, JsonNode> body) {
    long wait = Params.waitMillis(request);
    String seen = request.getHeader("If-None-Match");
    OpenConnections.Permit permit = seen != null && wait > 0
        ? limits.openConnection(limits.caller(principal, request.remoteAddress())) : null;
    return await(vertx, query, etag, seen, wait, watch, closed(request)).onComplete(done -> {
      if (permit != null) {
        permit.release();
      }
    }).map(answer -> {
      answer(request, etag.apply(answer), seen, body.apply(answer));
      return null;
    });
  }

  /** Completes when the caller's connection closes: a long-poll waiting for it gives up. */
  private static Future<Void> closed(HttpServerRequest request) {
    Promise<Void> closed = Promise.promise();
    request.response().closeHandler(v -> closed.tryComplete());
    return closed.future();
  }

  /**
   * Answers a conditional request: {@code 304} when the answer's tag is still the caller's
   * {@code seen}, else {@code 200} with {@code body}; both carry the tag.
   */
  private static void answer(HttpServerRequest request, String etag, String seen, JsonNode body) {
    request.response().putHeader("ETag", etag);
    if (etag.equals(seen)) {
      request.response().setStatusCode(304).putHeader("Cache-Control", "no-store").end();
    } else {
      Responses.json(request, 200, body);
    }
  }

  /** A strong entity tag for an answer made of {@code parts}: the same parts in the same order, the same tag. */
  public static String etag(List<String> parts) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    for (String part : parts) {
      digest.update(part.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return "\"" + HexFormat.of().formatHex(digest.digest(), 0, 16) + "\"";
  }

  /**
   * @param query     reads the current answer
   * @param etag      the answer's ETag
   * @param seen      the caller's ETag, or null for an answer at once
   * @param watch     given the first answer and a wake-up, registers that wake-up with whatever
   *                  may change the answer; returns what cancels it
   * @param abandoned completes when the caller goes away; the result then fails
   */
  public static <T> Future<T> await(Vertx vertx, Supplier<Future<T>> query, Function<T, String> etag, String seen,
                                    long waitMillis, BiFunction<T, Handler<Void>, Runnable> watch,
                                    Future<Void> abandoned) {
    return query.get().compose(first -> {
      if (seen == null || waitMillis <= 0 || !etag.apply(first).equals(seen)) {
        return Future.succeededFuture(first);
      }
      Promise<T> answer = Promise.promise();
      Runnable[] cancel = new Runnable[1];
      long timer = vertx.setTimer(waitMillis, t -> {
        cancel[0].run();
        query.get().onComplete(answer::tryComplete, answer::tryFail);
      });
      Handler<Void> look = new Handler<>() {
        private boolean looking;
        private boolean again;

        @Override
        public void handle(Void v) {
          if (answer.future().isComplete()) {
            return;
          }
          if (looking) {
            again = true;
            return;
          }
          looking = true;
          query.get().onComplete(result -> {
            looking = false;
            if (result.succeeded() && !etag.apply(result.result()).equals(seen) && answer.tryComplete(result.result())) {
              vertx.cancelTimer(timer);
              cancel[0].run();
            } else if (again) {
              again = false;
              handle(null);
            }
          });
        }
      };
      cancel[0] = watch.apply(first, look);
      abandoned.onComplete(v -> {
        vertx.cancelTimer(timer);
        cancel[0].run();
        answer.tryFail("the caller went away");
      });
      look.handle(null); // a change between the first look and the watch would not wake us
      return answer.future();
    });
  }
}
