package dev.tandem.hub.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends one webhook notification (PROTOCOL 7.1): checks the URL again (SSRF rules, fresh DNS),
 * connects to the address it checked, POSTs the signed body and reads what the receiver says.
 * Redirects are not followed. A 2xx is a delivery; a 2xx whose JSON body is
 * {@code {"done": true}} also finishes the wake. Anything else, including no answer within
 * the subscription's lease, is a failure the scheduler retries.
 */
final class WebhookDelivery {

  sealed interface Outcome permits Delivered, Failed {}

  /** The receiver answered 2xx; {@code done} when it finished the wake synchronously. */
  record Delivered(boolean done) implements Outcome {}

  record Failed(String reason) implements Outcome {}

  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final long MAX_CONNECT_MS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final UrlGuard guard;
  private final WebhookSigner signer;
  private final Clock clock;
  private final HttpClientAgent client;

  WebhookDelivery(Vertx vertx, UrlGuard guard, WebhookSigner signer, Clock clock) {
    this.vertx = vertx;
    this.guard = guard;
    this.signer = signer;
    this.clock = clock;
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setKeepAlive(true)
        .setVerifyHost(true)
        .setMaxRedirects(0));
  }

  /** Never fails: every problem is a {@link Failed} outcome with a reason for the log. */
  Future<Outcome> deliver(String url, byte[] body, long timeoutMs) {
    return guard.check(url)
        .compose(target -> send(target, body, timeoutMs))
        .otherwise(failure -> new Failed(failure instanceof ControlError e ? e.getMessage() : String.valueOf(failure)));
  }

  private Future<Outcome> send(UrlGuard.Target target, byte[] body, long timeoutMs) {
    String signature = signer.sign(clock.instant().getEpochSecond(), body);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(target.uri().toString())
        .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
        .setFollowRedirects(false)
        .setConnectTimeout(Math.min(timeoutMs, MAX_CONNECT_MS))
        .setIdleTimeout(timeoutMs)
        .putHeader("Content-Type", "application/json")
        .putHeader("Webhook-Signature", signature)
        .putHeader("User-Agent", "tandem-hub");
    Promise<Outcome> outcome = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long deadline = vertx.setTimer(timeoutMs, t -> {
      if (outcome.tryComplete(new Failed("no answer within " + timeoutMs + " ms")) && sent.get() != null) {
        sent.get().reset();
      }
    });
    client.request(options)
        .compose(request -> {
          sent.set(request);
          return request.send(Buffer.buffer(body));
        })
        .compose(this::read)
        .onComplete(result -> {
          vertx.cancelTimer(deadline);
          outcome.tryComplete(result.succeeded() ? result.result() : new Failed(String.valueOf(result.cause())));
        });
    return outcome.future();
  }

  private Future<Outcome> read(HttpClientResponse response) {
    int status = response.statusCode();
    Promise<Outcome> outcome = Promise.promise();
    Buffer received = Buffer.buffer();
    response.handler(chunk -> {
      if (received.length() < MAX_RESPONSE_BYTES) {
        received.appendBuffer(chunk);
      }
    });
    response.exceptionHandler(outcome::tryFail);
    response.endHandler(v -> outcome.tryComplete(status >= 200 && status < 300
        ? new Delivered(isDone(received))
        : new Failed("the receiver answered " + status)));
    return outcome.future();
  }

  /** {@code {"done": true}}, exactly; any other body leaves the wake to a callback. */
  static boolean isDone(Buffer body) {
    if (body.length() == 0 || body.length() >= MAX_RESPONSE_BYTES) {
      return false;
    }
    try {
      JsonNode node = JSON.readTree(body.getBytes());
      return node != null && node.path("done").isBoolean() && node.path("done").booleanValue();
    } catch (IOException e) {
      return false;
    }
  }

  Future<Void> close() {
    return client.close();
  }
}
