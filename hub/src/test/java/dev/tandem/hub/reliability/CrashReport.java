package dev.tandem.hub.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** The figures of one crash test run: printed as a summary line and written as JSON. */
final class CrashReport {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  final long seed;
  final int rounds;
  final ArrayNode roundFigures = JSON.createArrayNode();
  final ArrayNode subscriberFigures = JSON.createArrayNode();
  final List<Long> restartMillis = new ArrayList<>();
  int hubKills;
  int machineKills;
  int startupKills;
  int postgresLeftRunning;
  int pidsReused;
  long appendsAcknowledged;
  long eventsAcknowledged;
  long retries;
  long duplicateAnswers;
  long eventsStored;
  long losses;
  long duplicates;
  long outOfOrder;
  long misplaced;
  long storedNotAcknowledged;
  long subscriberMismatches;
  int approvalsRequested;
  int approvalsApproved;
  boolean pendingApprovalSurvived;
  long approvalEventErrors;
  boolean cleanStop;
  long durationMillis;
  List<String> problems = List.of();

  CrashReport(long seed, int rounds) {
    this.seed = seed;
    this.rounds = rounds;
  }

  void round(int round, HubProcess.Killed killed, long afterMillis, HubProcess.Killed duringStartup,
             boolean pidReused, long restartMillis, long acknowledgedSoFar) {
    if (killed.kind() == HubProcess.Kill.HUB) {
      hubKills++;
    } else {
      machineKills++;
    }
    if (killed.postgresLeftRunning()) {
      postgresLeftRunning++;
    }
    if (duringStartup != null) {
      startupKills++;
    }
    if (pidReused) {
      pidsReused++;
    }
    this.restartMillis.add(restartMillis);
    ObjectNode figures = roundFigures.addObject().put("round", round).put("kill", name(killed.kind()))
        .put("afterMillis", afterMillis).put("processesKilled", killed.processes())
        .put("postgresLeftRunning", killed.postgresLeftRunning());
    if (duringStartup != null) {
      figures.put("secondKillDuringStartup", name(duringStartup.kind()))
          .put("secondKillFoundHubReady", duringStartup.wasReady());
    }
    figures.put("postmasterPidReused", pidReused).put("restartMillis", restartMillis).put("eventsAcknowledgedSoFar", acknowledgedSoFar);
    System.out.printf("crash round %d/%d: kill -9 %s after %.1f s (%d processes%s)%s%s, restarted in %.1f s, "
            + "%d events acknowledged so far%n", round, rounds, name(killed.kind()), afterMillis / 1000.0,
        killed.processes(), killed.postgresLeftRunning() ? ", Postgres left running" : "",
        duringStartup == null ? "" : ", killed again during start-up (" + name(duringStartup.kind()) + ")",
        pidReused ? ", postmaster.pid left naming a live process" : "", restartMillis / 1000.0, acknowledgedSoFar);
  }

  private static String name(HubProcess.Kill kind) {
    return kind == HubProcess.Kill.HUB ? "hub" : "machine";
  }

  /** {@code resumes}: reconnections (WebSocket) or requests repeated from the same offset (long-poll). */
  void subscriber(String name, String kind, long received, int resumes, int replays, long mismatches) {
    subscriberFigures.addObject().put("name", name).put("kind", kind).put("eventsReceived", received)
        .put("resumes", resumes).put("replayedAfterCursorResume", replays).put("mismatches", mismatches);
  }

  String summary() {
    return String.format("crash summary: %d rounds (seed %d), kills: %d hub, %d machine, %d during start-up, "
            + "%d stale postmaster.pid naming a live process; "
            + "events acknowledged %d, stored %d, losses %d, duplicates %d, out of order %d, subscriber mismatches %d; "
            + "approvals %d requested, %d approved, pending one survived: %s; %s; %.1f s",
        rounds, seed, hubKills, machineKills, startupKills, pidsReused, eventsAcknowledged, eventsStored, losses, duplicates,
        outOfOrder, subscriberMismatches, approvalsRequested, approvalsApproved, pendingApprovalSurvived,
        problems.isEmpty() ? "no problems" : problems.size() + " problems", durationMillis / 1000.0);
  }

  void write(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("test", "CrashIT").put("date", LocalDate.now().toString()).put("seed", seed).put("rounds", rounds)
        .put("cores", Runtime.getRuntime().availableProcessors()).put("durationMillis", durationMillis);
    root.putObject("kills").put("hubOnly", hubKills).put("machine", machineKills)
        .put("duringStartup", startupKills).put("postgresLeftRunning", postgresLeftRunning)
        .put("postmasterPidReused", pidsReused);
    List<Long> sorted = restartMillis.stream().sorted().toList();
    if (!sorted.isEmpty()) {
      root.putObject("restartMillis").put("min", sorted.get(0)).put("median", sorted.get(sorted.size() / 2))
          .put("max", sorted.get(sorted.size() - 1));
    }
    root.putObject("writers").put("appendsAcknowledged", appendsAcknowledged)
        .put("eventsAcknowledged", eventsAcknowledged).put("retries", retries)
        .put("retriesAnsweredAsDuplicate", duplicateAnswers);
    root.putObject("stored").put("events", eventsStored).put("losses", losses).put("duplicates", duplicates)
        .put("outOfOrder", outOfOrder).put("notWhereAcknowledged", misplaced)
        .put("storedButNotAcknowledged", storedNotAcknowledged);
    root.put("subscriberMismatches", subscriberMismatches);
    root.set("subscribers", subscriberFigures);
    root.putObject("approvals").put("requested", approvalsRequested).put("approved", approvalsApproved)
        .put("pendingBeforeTheKillsSurvived", pendingApprovalSurvived).put("eventErrors", approvalEventErrors);
    root.put("cleanStopAtTheEnd", cleanStop);
    root.set("roundDetails", roundFigures);
    ArrayNode listed = root.putArray("problems");
    problems.stream().limit(100).forEach(listed::add);
    Files.createDirectories(file.getParent());
    Files.writeString(file, JSON.writeValueAsString(root));
  }
}
