package dev.tandem.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to a limit. A body announced or found to be larger is refused with
 * 413 as soon as that is known, without buffering the rest.
 */
public final class Bodies {

  private Bodies() {}

  public static Future<Buffer> read(HttpServerRequest request, long limit) {
    String declared = request.getHeader("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          return Future.failedFuture(tooLarge(limit));
        }
      } catch (NumberFormatException e) {
        return Future.failedFuture(TandemError.badRequest("invalid_header", "Content-Length is not a number"));
      }
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        if (promise.tryFail(tooLarge(limit))) {
          request.pause();
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(body));
    return promise.future();
  }

  private static TandemError tooLarge(long limit) {
    return TandemError.tooLarge("the body is larger than the limit of " + limit + " bytes (max-append-bytes)");
  }
}
