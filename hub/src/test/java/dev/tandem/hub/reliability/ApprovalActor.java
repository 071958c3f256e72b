package dev.tandem.hub.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An agent and a manager working through approval gates while the hub is killed: on each turn
 * the agent appends a gated {@code deploy} event with a fresh {@code Idempotency-Key} (answered
 * {@code 202} with a pending approval) and the manager approves the previous turn's approval.
 * Both retry after a crash with the same key / the same decision, so a retry that created a
 * second approval, or an approval whose events were appended twice, shows in the stream.
 */
final class ApprovalActor implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FAILED_ATTEMPTS = 500;

  private final HubProcess hub;
  private final HttpClient http;
  private final String stream;
  private final String agentToken;
  private final String managerToken;
  private final Semaphore turns;
  private final List<String> problems;
  /** Idempotency key → approval id, in the order requested. */
  private final Map<String, String> requested = new LinkedHashMap<>();
  private final Map<String, String> approved = new LinkedHashMap<>();
  private volatile boolean stopping;
  private volatile int retries;

  ApprovalActor(HubProcess hub, HttpClient http, String stream, String agentToken, String managerToken,
                Semaphore turns, List<String> problems) {
    this.hub = hub;
    this.http = http;
    this.stream = stream;
    this.agentToken = agentToken;
    this.managerToken = managerToken;
    this.turns = turns;
    this.problems = problems;
  }

  void stop() {
    stopping = true;
  }

  synchronized Map<String, String> requested() {
    return new LinkedHashMap<>(requested);
  }

  /** Approval id → the state the approve call answered. */
  synchronized Map<String, String> approved() {
    return new LinkedHashMap<>(approved);
  }

  int retries() {
    return retries;
  }

  @Override
  public void run() {
    String previous = null;
    try {
      for (int turn = 1; !stopping; ) {
        if (!turns.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue; // no turn yet: the writers pace the approvals
        }
        String key = "turn-" + turn++;
        String id = request(key);
        if (id == null) {
          return;
        }
        if (previous != null && approve(previous) == null) {
          return;
        }
        previous = id;
      }
    } catch (InterruptedException e) {
      problems.add("approvals: interrupted");
    } catch (IOException e) {
      problems.add("approvals: unreadable answer: " + e);
    }
  }

  /** Appends a gated event until the hub answers 202; returns the approval's id. */
  String request(String key) throws InterruptedException, IOException {
    String body = "{\"type\":\"deploy\",\"service\":\"api\",\"key\":\"" + key + "\"}";
    JsonNode answer = send(key, base -> HttpRequest.newBuilder(URI.create(base + "/v1/stream/" + stream))
        .header("Authorization", "Bearer " + agentToken).header("Content-Type", "application/json")
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)), 202);
    if (answer == null) {
      return null;
    }
    JsonNode approval = answer.get("approval");
    if (!"pending".equals(approval.path("state").asText())) {
      problems.add("approvals: " + key + " was answered " + approval);
    }
    synchronized (this) {
      requested.put(key, approval.get("id").asText());
    }
    return approval.get("id").asText();
  }

  /** Approves as the manager until the hub answers 200; returns the approval's state. */
  String approve(String id) throws InterruptedException, IOException {
    JsonNode answer = send(id, base -> HttpRequest.newBuilder(URI.create(base + "/v1/approvals/" + id + "/approve"))
        .header("Authorization", "Bearer " + managerToken).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")), 200);
    if (answer == null) {
      return null;
    }
    String state = answer.path("approval").path("state").asText();
    if (!state.equals("approved")) {
      problems.add("approvals: approving " + id + " left it " + state);
    }
    synchronized (this) {
      approved.put(id, state);
    }
    return state;
  }

  private interface RequestFor {
    HttpRequest.Builder at(String base);
  }

  /** Sends until a hub answers; the answer's JSON when it is {@code expected}, null (a problem noted) otherwise. */
  private JsonNode send(String what, RequestFor request, int expected) throws InterruptedException, IOException {
    for (int failed = 0; failed <= MAX_FAILED_ATTEMPTS; ) {
      String base = hub.awaitUp();
      HttpResponse<String> response;
      try {
        response = http.send(request.at(base).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        failed++;
        retries++;
        hub.awaitReplaced(base, Duration.ofSeconds(1));
        continue;
      }
      if (response.statusCode() == 503) {
        failed++;
        retries++;
        hub.awaitReplaced(base, Duration.ofSeconds(1));
        continue;
      }
      if (response.statusCode() != expected) {
        problems.add("approvals: " + what + ": " + response.statusCode() + " " + response.body());
        return null;
      }
      return JSON.readTree(response.body());
    }
    problems.add("approvals: " + what + ": no answer after " + MAX_FAILED_ATTEMPTS + " attempts while a hub was up");
    return null;
  }
}
