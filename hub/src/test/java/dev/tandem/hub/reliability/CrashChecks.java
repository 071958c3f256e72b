package dev.tandem.hub.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.stream.Offsets;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the crash test checks once the last hub is up and the writers have stopped: the stored
 * streams against what was acknowledged, every follower against the stored streams, and the
 * approvals against their events. Each finding is a line in {@code problems} and a figure in the
 * report.
 */
final class CrashChecks {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubProcess hub;
  private final HttpClient http;
  private final List<String> problems;
  private final CrashReport report;

  CrashChecks(HubProcess hub, HttpClient http, List<String> problems, CrashReport report) {
    this.hub = hub;
    this.http = http;
    this.problems = problems;
    this.report = report;
  }

  /** Every acknowledged event once, where its acknowledgement said, in its producer's order; nothing else. */
  void dataStreams(List<ProducerWriter> writers, List<String> streams, Map<String, List<String>> stored)
      throws IOException {
    for (String stream : streams) {
      List<String> records = stored.get(stream);
      report.eventsStored += records.size();
      Map<String, Integer> position = new HashMap<>();
      Map<String, long[]> lastByWriter = new HashMap<>();
      List<String> keys = new ArrayList<>(records.size());
      for (int offset = 0; offset < records.size(); offset++) {
        JsonNode event = JSON.readTree(records.get(offset));
        String writer = event.path("w").asText();
        long seq = event.path("s").asLong();
        int index = event.path("i").asInt();
        String key = ProducerWriter.key(writer, seq, index);
        keys.add(key);
        if (position.putIfAbsent(key, offset) != null) {
          report.duplicates++;
          problems.add(stream + ": " + key + " stored twice, at offsets " + position.get(key) + " and " + offset);
        }
        long[] last = lastByWriter.get(writer);
        if (last != null && (seq < last[0] || seq == last[0] && index <= last[1])) {
          report.outOfOrder++;
          problems.add(stream + ": " + key + " at offset " + offset + " comes after " + writer + "/" + last[0] + "/" + last[1]);
        }
        lastByWriter.put(writer, new long[] {seq, index});
      }
      Set<String> acknowledgedKeys = new HashSet<>();
      for (ProducerWriter writer : writers) {
        if (!writer.stream.equals(stream)) {
          continue;
        }
        report.retries += writer.retries();
        report.duplicateAnswers += writer.duplicateAnswers();
        for (ProducerWriter.Acked acked : writer.acked()) {
          report.appendsAcknowledged++;
          report.eventsAcknowledged += acked.keys().size();
          for (int i = 0; i < acked.keys().size(); i++) {
            String key = acked.keys().get(i);
            acknowledgedKeys.add(key);
            if (!position.containsKey(key)) {
              report.losses++;
              problems.add(stream + ": acknowledged " + key + " is not stored");
            } else if (acked.firstOffset() >= 0 && position.get(key) != acked.firstOffset() + i) {
              report.misplaced++;
              problems.add(stream + ": " + key + " is at offset " + position.get(key) + ", acknowledged at "
                  + (acked.firstOffset() + i));
            }
          }
        }
      }
      for (String key : keys) {
        if (!acknowledgedKeys.contains(key)) {
          report.storedNotAcknowledged++;
          problems.add(stream + ": " + key + " is stored but was never acknowledged");
        }
      }
    }
  }

  /** Every subscriber and long-poll reader received exactly the stored sequence. */
  void followers(List<WsSubscriber> subscribers, List<LongPollReader> readers, List<Thread> threads,
                 Map<String, List<String>> stored) throws InterruptedException {
    for (LongPollReader reader : readers) {
      reader.readUntil(stored.get(reader.stream).size());
    }
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(60).toMillis());
    }
    for (WsSubscriber subscriber : subscribers) {
      try {
        Eventually.await(() -> stored.keySet().stream().allMatch(s -> subscriber.count(s) >= stored.get(s).size()),
            60_000, subscriber.name + " has received every stored event");
      } catch (AssertionError timedOut) {
        problems.add(timedOut.getMessage());
      }
      long mismatches = subscriber.mismatches();
      long received = 0;
      for (String stream : stored.keySet()) {
        mismatches += compare(subscriber.name, stream, subscriber.received(stream), stored.get(stream));
        received += subscriber.count(stream);
      }
      report.subscriberMismatches += mismatches;
      report.subscriber(subscriber.name, "websocket, resume by " + subscriber.resume.name().toLowerCase(),
          received, subscriber.connections() - 1, subscriber.replays(), mismatches);
    }
    for (LongPollReader reader : readers) {
      long mismatches = reader.mismatches() + compare(reader.name, reader.stream, reader.received(), stored.get(reader.stream));
      report.subscriberMismatches += mismatches;
      report.subscriber(reader.name, "http long-poll", reader.count(), reader.retries(), 0, mismatches);
    }
  }

  /** 0 when {@code received} is {@code stored}, else 1 and the first difference as a problem. */
  private int compare(String who, String stream, List<String> received, List<String> stored) {
    if (received.equals(stored)) {
      return 0;
    }
    int i = 0;
    while (i < received.size() && i < stored.size() && received.get(i).equals(stored.get(i))) {
      i++;
    }
    problems.add(who + " on " + stream + ": received " + received.size() + " events, " + stored.size()
        + " stored; first difference at offset " + i + ": "
        + (i < received.size() ? received.get(i) : "nothing") + " vs " + (i < stored.size() ? stored.get(i) : "nothing"));
    return 1;
  }

  /**
   * The approval requested before the first kill is still pending and can be approved; every
   * approval is requested, granted and released in its stream exactly once.
   */
  void approvals(ApprovalActor approvals, String pending, String manager, String gated) throws Exception {
    HttpResponse<String> record = send(manager, "GET", "/v1/approvals/" + pending, null, null);
    report.pendingApprovalSurvived = record.statusCode() == 200
        && JSON.readTree(record.body()).path("state").asText().equals("pending");
    HttpResponse<String> inbox = send(manager, "GET", "/v1/approvals?state=pending&stream=" + gated + "&limit=500", null, null);
    if (!inbox.body().contains(pending)) {
      problems.add("the manager's pending approvals do not list " + pending + ": " + inbox.body());
    }
    for (Map.Entry<String, String> requested : approvals.requested().entrySet()) {
      if (!approvals.approved().containsKey(requested.getValue())) {
        approvals.approve(requested.getValue()); // the last turn's, and the one from before the kills
      }
    }
    Map<String, String> ids = approvals.requested();
    report.approvalsRequested = ids.size();
    report.approvalsApproved = (int) approvals.approved().values().stream().filter("approved"::equals).count();
    Map<String, int[]> counts = new HashMap<>(); // id → requested, granted, released
    Map<String, Integer> byKey = new HashMap<>();
    try {
      Eventually.await(() -> {
        try {
          counts.clear();
          byKey.clear();
          countApprovalEvents(readAll(manager, gated), counts, byKey);
          return ids.values().stream().allMatch(id -> counts.containsKey(id) && counts.get(id)[2] > 0);
        } catch (Exception e) {
          return false;
        }
      }, 30_000, "every approved event is released into " + gated);
    } catch (AssertionError timedOut) {
      problems.add(timedOut.getMessage());
    }
    for (Map.Entry<String, String> entry : ids.entrySet()) {
      int[] c = counts.getOrDefault(entry.getValue(), new int[3]);
      if (c[0] != 1 || c[1] != 1 || c[2] != 1 || byKey.getOrDefault(entry.getKey(), 0) != 1) {
        report.approvalEventErrors++;
        problems.add("approval " + entry.getValue() + " (" + entry.getKey() + "): requested " + c[0] + "×, granted "
            + c[1] + "×, released " + c[2] + "×; requests with its key: " + byKey.getOrDefault(entry.getKey(), 0));
      }
    }
    for (String id : counts.keySet()) {
      if (!ids.containsValue(id)) {
        report.approvalEventErrors++;
        problems.add("approval events for " + id + ", which no request was answered with");
      }
    }
  }

  private static void countApprovalEvents(List<String> records, Map<String, int[]> counts, Map<String, Integer> byKey)
      throws IOException {
    for (String record : records) {
      JsonNode event = JSON.readTree(record);
      String id = event.path("approvalId").asText();
      int slot = switch (event.path("type").asText()) {
        case "approval.requested" -> 0;
        case "approval.granted" -> 1;
        case "deploy" -> 2;
        default -> -1;
      };
      if (slot >= 0) {
        counts.computeIfAbsent(id, k -> new int[3])[slot]++;
      }
      if (slot == 0) {
        byKey.merge(event.path("proposed").path("key").asText(), 1, Integer::sum);
      }
    }
  }

  /** The whole stream by catch-up reads; each page must continue exactly where the previous one ended. */
  List<String> readAll(String token, String stream) throws IOException, InterruptedException {
    List<String> records = new ArrayList<>();
    String offset = "-1";
    while (true) {
      HttpResponse<String> page = send(token, "GET", "/v1/stream/" + stream + "?offset=" + offset, null, null);
      assertEquals(200, page.statusCode(), page.body());
      JsonNode array = JSON.readTree(page.body());
      array.forEach(record -> records.add(record.toString()));
      long next = Offsets.parse(page.headers().firstValue("Stream-Next-Offset").orElseThrow());
      if (next != records.size()) {
        problems.add(stream + ": a read from " + offset + " returned up to " + records.size()
            + " records but Stream-Next-Offset " + next);
        return records;
      }
      if (page.headers().firstValue("Stream-Up-To-Date").orElse("").equals("true")) {
        return records;
      }
      offset = Offsets.format(next);
    }
  }

  private HttpResponse<String> send(String token, String method, String path, String body, String contentType)
      throws IOException, InterruptedException {
    return hub.send(http, token, method, path, body, contentType);
  }
}
