package dev.tandem.hub.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.governance.access.Action;
import dev.tandem.governance.access.Role;
import dev.tandem.governance.access.Scope;
import dev.tandem.hub.Eventually;
import dev.tandem.hub.TestHub;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Approval gates end to end: gated appends, decisions over HTTP, outcomes seen live over WebSocket. */
@ExtendWith(VertxExtension.class)
class ApprovalGateTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REFUND = "{\"type\":\"tool.call\",\"tool\":\"payments.refund\",\"args\":{\"amount\":250}}";
  private static TestHub hub;
  private static Vertx vertx;
  private static String agent;
  private static String manager;
  private static String manager2;

  @BeforeAll
  static void start(Vertx v) throws Exception {
    vertx = v;
    hub = TestHub.start(v);
    agent = hub.token("agent-7", Set.of(Role.AGENT), new Scope("shop", EnumSet.of(Action.READ, Action.APPEND)));
    manager = hub.token("mia", Set.of(Role.MANAGER), new Scope("shop", EnumSet.of(Action.READ, Action.APPROVE)));
    manager2 = hub.token("max", Set.of(Role.MANAGER), new Scope("shop", EnumSet.of(Action.READ, Action.APPROVE)));
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  private static String stream(String name, String gateOptions) throws Exception {
    String path = "shop/" + name;
    assertEquals(201, hub.put(path, "application/json").statusCode());
    String policy = "{\"gates\":[{\"name\":\"refunds-over-100\",\"match\":{\"type\":\"tool.call\",\"where\":["
        + "{\"field\":\"tool\",\"in\":[\"payments.refund\"]},{\"field\":\"args.amount\",\"gt\":100}]}"
        + (gateOptions.isEmpty() ? "" : "," + gateOptions) + "}]}";
    HttpResponse<String> put = hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/policies/" + path))
        .PUT(BodyPublishers.ofString(policy)));
    assertEquals(200, put.statusCode(), put.body());
    return path;
  }

  private static HttpResponse<String> append(String token, String path, String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.streamUrl(path)))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return hub.sendRaw(request);
  }

  private static HttpResponse<String> decide(String token, String id, String verb, String body) throws Exception {
    return hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals/" + id + "/" + verb))
        .header("Authorization", "Bearer " + token).POST(BodyPublishers.ofString(body)));
  }

  private static String requestApproval(String path) throws Exception {
    HttpResponse<String> held = append(agent, path, REFUND, null);
    assertEquals(202, held.statusCode(), held.body());
    JsonNode approval = JSON.readTree(held.body()).get("approval");
    assertEquals("pending", approval.get("state").asText());
    return approval.get("id").asText();
  }

  /** A live reader of one stream over WebSocket, as the agent. */
  private static final class Watcher implements AutoCloseable {
    final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    final WebSocket socket;

    Watcher(String path) throws Exception {
      socket = vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(hub.hub().port()).setURI("/v1/ws?token=" + agent)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> subscribed = new CompletableFuture<>();
      socket.textMessageHandler(text -> {
        JsonNode frame = read(text);
        if (frame.path("type").asText().equals("subscribed")) {
          subscribed.complete(null);
        }
        if (frame.path("type").asText().equals("events")) {
          frame.get("events").forEach(e -> events.add(e.get("data")));
        }
      });
      socket.writeTextMessage("{\"type\":\"hello\",\"v\":1}");
      socket.writeTextMessage("{\"type\":\"subscribe\",\"stream\":\"" + path + "\",\"from\":\"beginning\"}");
      subscribed.get(10, TimeUnit.SECONDS);
    }

    JsonNode next(String type) throws InterruptedException {
      JsonNode event = events.poll(20, TimeUnit.SECONDS);
      assertTrue(event != null, "no event within 20s, expected " + type);
      assertEquals(type, event.path("type").asText(), event.toString());
      return event;
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  private static JsonNode read(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void managerApprovesAndTheAgentSeesTheGrantAndTheReleasedEventLive() throws Exception {
    String path = stream("approve", "");
    try (Watcher watcher = new Watcher(path)) {
      assertEquals(204, append(agent, path, "{\"type\":\"tool.call\",\"tool\":\"payments.refund\",\"args\":{\"amount\":50}}", null).statusCode(),
          "small refunds are not held");
      assertEquals(50, watcher.next("tool.call").get("args").get("amount").asInt());
      String id = requestApproval(path);
      JsonNode requested = watcher.next("approval.requested");
      assertEquals(id, requested.get("approvalId").asText());
      assertEquals(250, requested.get("proposed").get("args").get("amount").asInt());

      JsonNode pending = JSON.readTree(hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals?state=pending"))
          .header("Authorization", "Bearer " + manager).GET()).body()).get("approvals");
      assertTrue(pending.findValues("id").stream().anyMatch(n -> n.asText().equals(id)), "in the manager's inbox");
      JsonNode agentsView = JSON.readTree(hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals?state=pending"))
          .header("Authorization", "Bearer " + agent).GET()).body()).get("approvals");
      assertFalse(agentsView.findValues("id").stream().anyMatch(n -> n.asText().equals(id)), "not the agent's to decide");

      HttpResponse<String> approved = decide(manager, id, "approve", "");
      assertEquals(200, approved.statusCode(), approved.body());
      assertEquals("approved", JSON.readTree(approved.body()).get("approval").get("state").asText());
      assertEquals("mia", watcher.next("approval.granted").get("by").asText());
      JsonNode released = watcher.next("tool.call");
      assertEquals(id, released.get("approvalId").asText());
      assertEquals(250, released.get("args").get("amount").asInt());

      HttpResponse<String> again = decide(manager, id, "reject", "{\"reason\":\"too late\"}");
      assertEquals(200, again.statusCode());
      assertFalse(JSON.readTree(again.body()).get("changed").asBoolean(), "the first decision wins");
    }
  }

  @Test
  void rejectionAndCancellationAreAppended() throws Exception {
    String path = stream("reject", "");
    try (Watcher watcher = new Watcher(path)) {
      String id = requestApproval(path);
      watcher.next("approval.requested");
      assertEquals(200, decide(manager, id, "reject", "{\"reason\":\"not refundable\"}").statusCode());
      assertEquals("not refundable", watcher.next("approval.rejected").get("reason").asText());
      String other = requestApproval(path);
      watcher.next("approval.requested");
      assertEquals(403, decide(manager, other, "cancel", "").statusCode(), "only the requester cancels");
      assertEquals(200, decide(agent, other, "cancel", "").statusCode());
      assertEquals("agent-7", watcher.next("approval.canceled").get("by").asText());
    }
  }

  @Test
  void anAgentNeverApprovesItsOwnRequest() throws Exception {
    String path = stream("self", "\"approvers\":{\"roles\":[\"manager\",\"agent\"]}");
    String id = requestApproval(path);
    String selfApprover = hub.token("agent-7", Set.of(Role.AGENT, Role.MANAGER),
        new Scope("shop", EnumSet.allOf(Action.class)));
    HttpResponse<String> refused = decide(selfApprover, id, "approve", "");
    assertEquals(403, refused.statusCode());
    assertEquals("self_approval_forbidden", JSON.readTree(refused.body()).get("error").asText());
    HttpResponse<String> outsider = decide(hub.token("eve", Set.of(Role.HUMAN), new Scope("shop", EnumSet.of(Action.APPROVE))),
        id, "approve", "");
    assertEquals(403, outsider.statusCode());
    assertEquals("not_an_approver", JSON.readTree(outsider.body()).get("error").asText());
    String elsewhere = hub.token("oscar", Set.of(Role.MANAGER), new Scope("other", EnumSet.allOf(Action.class)));
    assertEquals(403, decide(elsewhere, id, "approve", "").statusCode(), "approve scope is needed on the stream");
  }

  @Test
  void quorumOfTwoAndEditThenApprove() throws Exception {
    String path = stream("quorum", "\"quorum\":2,\"allowEdit\":true");
    try (Watcher watcher = new Watcher(path)) {
      String id = requestApproval(path);
      watcher.next("approval.requested");
      String edited = "{\"event\":{\"type\":\"tool.call\",\"tool\":\"payments.refund\",\"args\":{\"amount\":120}}}";
      JsonNode first = JSON.readTree(decide(manager, id, "approve", edited).body());
      assertEquals("pending", first.get("approval").get("state").asText());
      assertEquals(1, watcher.next("approval.vote").get("votes").asInt());
      assertFalse(JSON.readTree(decide(manager, id, "approve", edited).body()).get("changed").asBoolean(),
          "the same approver counts once");
      JsonNode second = JSON.readTree(decide(manager2, id, "approve", edited).body());
      assertEquals("approved", second.get("approval").get("state").asText());
      JsonNode granted = watcher.next("approval.granted");
      assertTrue(granted.get("edited").asBoolean());
      assertEquals(2, granted.get("approvers").size());
      assertEquals(120, watcher.next("tool.call").get("args").get("amount").asInt(), "the edited event is released");
    }
  }

  @Test
  void expiryRejectsByDefaultAndCanApprove() throws Exception {
    String rejecting = stream("expire-reject", "\"expiresAfter\":\"1s\"");
    String approving = stream("expire-approve", "\"expiresAfter\":\"1s\",\"onExpiry\":\"approve\"");
    try (Watcher a = new Watcher(rejecting); Watcher b = new Watcher(approving)) {
      String first = requestApproval(rejecting);
      String second = requestApproval(approving);
      a.next("approval.requested");
      b.next("approval.requested");
      assertEquals("rejected", a.next("approval.expired").get("outcome").asText());
      assertEquals("approved", b.next("approval.expired").get("outcome").asText());
      assertEquals(second, b.next("tool.call").get("approvalId").asText());
      JsonNode settled = JSON.readTree(hub.send(HttpRequest.newBuilder(
          URI.create(hub.baseUrl() + "/v1/approvals/" + first)).GET()).body());
      assertEquals("expired", settled.get("state").asText());
    }
  }

  @Test
  void aWaiterLongPollsTheDecisionAndRetriesFindTheSameApproval() throws Exception {
    String path = stream("wait", "");
    HttpResponse<String> held = append(agent, path, REFUND, "refund-order-17");
    String id = JSON.readTree(held.body()).get("approval").get("id").asText();
    HttpResponse<String> retry = append(agent, path, REFUND, "refund-order-17");
    assertEquals(202, retry.statusCode());
    assertEquals(id, JSON.readTree(retry.body()).get("approval").get("id").asText(), "same key, same approval");
    CompletableFuture<HttpResponse<String>> waiting = hub.http.sendAsync(HttpRequest.newBuilder(
            URI.create(hub.baseUrl() + "/v1/approvals/" + id + "?wait=30s")).header("Authorization", "Bearer " + agent).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, decide(manager, id, "approve", "").statusCode());
    JsonNode answer = JSON.readTree(waiting.get(30, TimeUnit.SECONDS).body());
    assertEquals("approved", answer.get("state").asText());
  }

  @Test
  void aManagersListLongPollsNewRequestsAndDecisions() throws Exception {
    String path = stream("inbox", "");
    String list = hub.baseUrl() + "/v1/approvals?state=pending&stream=" + path;
    HttpResponse<String> empty = hub.sendRaw(HttpRequest.newBuilder(URI.create(list))
        .header("Authorization", "Bearer " + manager).GET());
    assertEquals(200, empty.statusCode(), empty.body());
    assertEquals(0, JSON.readTree(empty.body()).get("approvals").size());
    String emptyTag = empty.headers().firstValue("ETag").orElseThrow();

    // Waiting on the empty list: a new request answers it.
    CompletableFuture<HttpResponse<String>> waiting = waitForChange(list + "&wait=30s", emptyTag);
    Eventually.await(() -> hub.hub().limits().openConnections("subject:mia") == 1, 10_000, "the list long-poll waits");
    String id = requestApproval(path);
    HttpResponse<String> arrived = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, arrived.statusCode(), arrived.body());
    assertEquals(id, JSON.readTree(arrived.body()).get("approvals").get(0).get("id").asText());
    String oneTag = arrived.headers().firstValue("ETag").orElseThrow();
    assertFalse(oneTag.equals(emptyTag));
    assertEquals(0, hub.hub().limits().openConnections("subject:mia"), "the answered long-poll gave its connection back");

    // Nothing changes: the wait ends with 304 and the same tag.
    HttpResponse<String> unchanged = waitForChange(list + "&wait=300ms", oneTag).get(30, TimeUnit.SECONDS);
    assertEquals(304, unchanged.statusCode());
    assertEquals(oneTag, unchanged.headers().firstValue("ETag").orElseThrow());
    assertEquals("", unchanged.body());

    // A decision (from another manager) answers it too.
    waiting = waitForChange(list + "&wait=30s", oneTag);
    Eventually.await(() -> hub.hub().limits().openConnections("subject:mia") == 1, 10_000, "the list long-poll waits");
    assertEquals(200, decide(manager2, id, "approve", "").statusCode());
    HttpResponse<String> decided = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, decided.statusCode(), decided.body());
    assertEquals(0, JSON.readTree(decided.body()).get("approvals").size());

    HttpResponse<String> bad = hub.sendRaw(HttpRequest.newBuilder(URI.create(list + "&wait=soon"))
        .header("Authorization", "Bearer " + manager).header("If-None-Match", oneTag).GET());
    assertEquals(400, bad.statusCode());
    assertEquals("invalid_parameter", JSON.readTree(bad.body()).get("error").asText());
  }

  @Test
  void aManagersListFindsItsApprovalBehindManyItMayNotDecide() throws Exception {
    String mine = requestApproval(stream("deep/refunds", ""));
    String adminsOnly = stream("deep/admins-only", "\"approvers\":{\"roles\":[\"admin\"]}");
    for (int i = 0; i < 6; i++) {
      requestApproval(adminsOnly); // newer, and not the manager's to decide
    }
    HttpResponse<String> list = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl()
        + "/v1/approvals?state=pending&stream=shop/deep&limit=1")).header("Authorization", "Bearer " + manager).GET());
    assertEquals(200, list.statusCode(), list.body());
    JsonNode approvals = JSON.readTree(list.body()).get("approvals");
    assertEquals(1, approvals.size(), "the list reads past the first page of rows: " + list.body());
    assertEquals(mine, approvals.get(0).get("id").asText());
  }

  private static CompletableFuture<HttpResponse<String>> waitForChange(String url, String etag) {
    return hub.http.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + manager)
        .header("If-None-Match", etag).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void twentyConcurrentConflictingDecisionsResolveToOneOutcome() throws Exception {
    String path = stream("race", "");
    String id = requestApproval(path);
    List<CompletableFuture<HttpResponse<String>>> decisions = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String token = hub.token("manager-" + i, Set.of(Role.MANAGER), new Scope("shop", EnumSet.of(Action.READ, Action.APPROVE)));
      String verb = i % 2 == 0 ? "approve" : "reject";
      decisions.add(hub.http.sendAsync(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals/" + id + "/" + verb))
          .header("Authorization", "Bearer " + token).POST(BodyPublishers.ofString("{\"reason\":\"race\"}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    int changed = 0;
    String outcome = null;
    for (CompletableFuture<HttpResponse<String>> decision : decisions) {
      HttpResponse<String> response = decision.get(30, TimeUnit.SECONDS);
      assertEquals(200, response.statusCode(), response.body());
      JsonNode body = JSON.readTree(response.body());
      changed += body.get("changed").asBoolean() ? 1 : 0;
      String state = body.get("approval").get("state").asText();
      if (body.get("changed").asBoolean()) {
        outcome = state;
      }
    }
    assertEquals(1, changed, "exactly one decision changed the approval");
    JsonNode events = JSON.readTree(hub.get(path + "?offset=-1").body());
    long settledEvents = 0;
    for (JsonNode event : events) {
      String type = event.get("type").asText();
      if (type.equals("approval.granted") || type.equals("approval.rejected")) {
        settledEvents++;
      }
    }
    assertEquals(1, settledEvents, "one outcome in the stream: " + outcome);
  }

  @Test
  void pendingApprovalsSurviveARestartAndOverdueOnesExpireAtStart() throws Exception {
    String path = stream("restart", "");
    String shortPath = stream("restart-short", "\"expiresAfter\":\"2s\"");
    String pending = requestApproval(path);
    String overdue = requestApproval(shortPath);
    hub.restart();
    JsonNode survived = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals/" + pending)).GET()).body());
    assertEquals("pending", survived.get("state").asText());
    assertEquals(200, decide(manager, pending, "approve", "").statusCode());
    JsonNode expired = JSON.readTree(hub.send(HttpRequest.newBuilder(
        URI.create(hub.baseUrl() + "/v1/approvals/" + overdue + "?wait=30s")).GET()).body());
    assertEquals("expired", expired.get("state").asText());
    JsonNode events = JSON.readTree(hub.get(path + "?offset=-1").body());
    assertEquals(List.of("approval.requested", "approval.granted", "tool.call"),
        List.of(events.get(0).get("type").asText(), events.get(1).get("type").asText(), events.get(2).get("type").asText()));
  }
}
