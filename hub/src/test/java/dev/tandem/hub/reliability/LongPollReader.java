package dev.tandem.hub.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.stream.Offsets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A live reader over HTTP long-poll ({@code ?offset=…&live=long-poll}): it reads on from
 * {@code Stream-Next-Offset}, and after a crash asks again from the offset it had reached.
 * Each answer must continue exactly where the previous one ended.
 */
final class LongPollReader implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FAILED_ATTEMPTS = 500;

  final String name;
  final String stream;
  private final HubProcess hub;
  private final HttpClient http;
  private final String token;
  private final List<String> problems;
  private final List<String> received = new ArrayList<>();
  private volatile long until = Long.MAX_VALUE;
  private volatile int mismatches;
  private volatile int retries;

  LongPollReader(String name, String stream, HubProcess hub, HttpClient http, String token, List<String> problems) {
    this.name = name;
    this.stream = stream;
    this.hub = hub;
    this.http = http;
    this.token = token;
    this.problems = problems;
  }

  /** Stop once everything before {@code tail} has been read. */
  void readUntil(long tail) {
    until = tail;
  }

  synchronized List<String> received() {
    return List.copyOf(received);
  }

  synchronized int count() {
    return received.size();
  }

  int mismatches() {
    return mismatches;
  }

  int retries() {
    return retries;
  }

  @Override
  public void run() {
    int failed = 0;
    try {
      while (count() < until) {
        if (failed > MAX_FAILED_ATTEMPTS) {
          problem("no answer after " + failed + " attempts while a hub was up");
          return;
        }
        long offset = count();
        String base = hub.awaitUp();
        HttpResponse<String> response;
        try {
          response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/stream/" + stream + "?offset="
                  + Offsets.format(offset) + "&live=long-poll"))
              .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build(),
              HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
          failed++;
          retries++;
          hub.awaitReplaced(base, Duration.ofSeconds(1));
          continue;
        }
        long next = response.headers().firstValue("Stream-Next-Offset").map(Offsets::parse).orElse(-1L);
        switch (response.statusCode()) {
          case 200 -> {
            JsonNode records = JSON.readTree(response.body());
            if (next != offset + records.size()) {
              problem("a long-poll from " + offset + " returned " + records.size() + " records but Stream-Next-Offset "
                  + next);
            }
            synchronized (this) {
              records.forEach(record -> received.add(record.toString()));
            }
            failed = 0;
          }
          case 204 -> {
            if (next != offset) {
              problem("an empty long-poll from " + offset + " said Stream-Next-Offset " + next);
            }
            failed = 0;
          }
          case 503 -> {
            failed++;
            retries++;
            hub.awaitReplaced(base, Duration.ofSeconds(1));
          }
          default -> {
            problem("long-poll from " + offset + ": " + response.statusCode() + " " + response.body());
            return;
          }
        }
      }
    } catch (InterruptedException e) {
      problem("interrupted");
    } catch (IOException e) {
      problem("unreadable answer: " + e);
    }
  }

  private void problem(String text) {
    mismatches++;
    problems.add(name + " (" + stream + "): " + text);
  }
}
