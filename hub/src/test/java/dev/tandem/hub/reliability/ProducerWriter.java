package dev.tandem.hub.reliability;

import dev.tandem.hub.stream.Offsets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * An idempotent producer over HTTP ({@code Producer-Id/Epoch/Seq}): appends batches of 1–3 JSON
 * events one after the other, and retries an append whose answer it did not get — the hub was
 * killed — with the same sequence number and body once a hub is up again. So a batch stored
 * before the crash and sent again would show up twice if the hub forgot the producer's state.
 *
 * <p>Every event is {@code {"type":"crash","w":<writer>,"s":<seq>,"i":<index in batch>}}, so the
 * stored stream can be checked against what was acknowledged, event by event.
 */
final class ProducerWriter implements Runnable {

  /** An acknowledged append; {@code firstOffset} is where its events went, or -1 when answered as a duplicate. */
  record Acked(long seq, List<String> keys, long firstOffset) {}

  private static final int MAX_FAILED_ATTEMPTS = 500;

  final String id;
  final String stream;
  private final HubProcess hub;
  private final HttpClient http;
  private final String token;
  private final Random random;
  private final IntConsumer onAcknowledged;
  private final List<String> problems;
  private final List<Acked> acked = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean stopping;
  private volatile int retries;
  private volatile int duplicateAnswers;

  ProducerWriter(String id, String stream, HubProcess hub, HttpClient http, String token, long seed,
                 IntConsumer onAcknowledged, List<String> problems) {
    this.id = id;
    this.stream = stream;
    this.hub = hub;
    this.http = http;
    this.token = token;
    this.random = new Random(seed);
    this.onAcknowledged = onAcknowledged;
    this.problems = problems;
  }

  /** Finish the append in flight (until acknowledged), then stop. */
  void stop() {
    stopping = true;
  }

  List<Acked> acked() {
    synchronized (acked) {
      return List.copyOf(acked);
    }
  }

  int retries() {
    return retries;
  }

  /** Retries answered 204: the batch had been stored before the crash, only its answer was lost. */
  int duplicateAnswers() {
    return duplicateAnswers;
  }

  static String key(String writer, long seq, int index) {
    return writer + "/" + seq + "/" + index;
  }

  @Override
  public void run() {
    try {
      for (long seq = 0; !stopping; seq++) {
        int count = 1 + random.nextInt(3);
        List<String> keys = new ArrayList<>(count);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
          keys.add(key(id, seq, i));
          body.append(i == 0 ? "" : ",").append("{\"type\":\"crash\",\"w\":\"").append(id).append("\",\"s\":")
              .append(seq).append(",\"i\":").append(i).append('}');
        }
        Acked ack = appendUntilAcknowledged(seq, keys, body.append(']').toString());
        if (ack == null) {
          return;
        }
        acked.add(ack);
        onAcknowledged.accept(count);
      }
    } catch (InterruptedException e) {
      problems.add(id + ": interrupted");
    }
  }

  /** Sends one append until the hub answers it; null (and a problem noted) when it refuses it. */
  private Acked appendUntilAcknowledged(long seq, List<String> keys, String body) throws InterruptedException {
    int failed = 0;
    for (int attempt = 0; ; attempt++) {
      if (failed > MAX_FAILED_ATTEMPTS) {
        problems.add(id + " seq " + seq + ": no answer after " + failed + " attempts while a hub was up");
        return null;
      }
      if (attempt > 0) {
        retries++;
      }
      String base = hub.awaitUp();
      HttpResponse<String> response;
      try {
        response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/stream/" + stream))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .header("Producer-Id", id).header("Producer-Epoch", "0").header("Producer-Seq", Long.toString(seq))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        failed++;
        hub.awaitReplaced(base, Duration.ofSeconds(1)); // the hub died under us (or is about to): wait for the next one
        continue;
      }
      switch (response.statusCode()) {
        case 200 -> {
          long next = Offsets.parse(response.headers().firstValue("Stream-Next-Offset").orElseThrow());
          return new Acked(seq, keys, next - keys.size());
        }
        case 204 -> {
          if (attempt == 0) {
            problems.add(id + " seq " + seq + ": a first attempt was answered as a duplicate");
          }
          duplicateAnswers++;
          return new Acked(seq, keys, -1);
        }
        case 503 -> {
          failed++;
          hub.awaitReplaced(base, Duration.ofSeconds(1)); // Retry-After: 1, or sooner if the hub is replaced
        }
        default -> {
          problems.add(id + " seq " + seq + " (attempt " + (attempt + 1) + "): " + response.statusCode() + " "
              + response.body());
          return null;
        }
      }
    }
  }
}
