package dev.tandem.hub.spawn;

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
import dev.tandem.hub.stream.Offsets;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Spawn trees and forks end to end, with tokens minted by the hub for each child. */
@ExtendWith(VertxExtension.class)
class SpawnTreeTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHub hub;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    hub = TestHub.start(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  private static HttpResponse<String> call(String token, String method, String path, String body) throws Exception {
    return hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)));
  }

  private static JsonNode spawn(String token, String parent, String name) throws Exception {
    HttpResponse<String> response = call(token, "POST", "/v1/spawn/" + parent, "{\"name\":\"" + name
        + "\",\"purpose\":\"research\",\"metadata\":{\"model\":\"m-1\"},\"token\":{\"ttlSeconds\":600}}");
    assertEquals(201, response.statusCode(), response.body());
    return JSON.readTree(response.body());
  }

  private static JsonNode events(String path) throws Exception {
    return JSON.readTree(hub.get(path + "?offset=-1").body());
  }

  /** A new stream whose gate holds {@code payment} events. */
  private static String gatedRoot(String root) throws Exception {
    hub.put(root, "application/json");
    hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/policies/" + root)).PUT(BodyPublishers.ofString(
        "{\"gates\":[{\"name\":\"pay\",\"match\":{\"type\":\"payment\"}}]}")));
    return root;
  }

  private static String planner(String root) {
    return hub.token("planner", Set.of(Role.AGENT), new Scope(root, EnumSet.of(Action.READ, Action.APPEND)));
  }

  @Test
  void agentsSpawnAThreeLevelTreeWithScopedTokensAndInheritedGates() throws Exception {
    String root = "sessions/tree";
    assertEquals(201, hub.put(root, "application/json").statusCode());
    String gate = "{\"gates\":[{\"name\":\"no-emails\",\"match\":{\"type\":\"tool.call\",\"where\":[{\"field\":\"tool\",\"eq\":\"email.send\"}]}}]}";
    assertEquals(200, hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/policies/" + root))
        .PUT(BodyPublishers.ofString(gate))).statusCode());

    JsonNode child = spawn(planner(root), root, "researcher");
    String childPath = child.get("stream").asText();
    assertEquals(root + "/agents/researcher", childPath);
    JsonNode grandchild = spawn(child.get("token").asText(), childPath, "fetcher");
    String grandchildPath = grandchild.get("stream").asText();
    JsonNode sibling = spawn(planner(root), root, "writer");
    String grandchildToken = grandchild.get("token").asText();

    assertEquals("stream.created", events(grandchildPath).get(0).get("type").asText());
    assertEquals(childPath, events(grandchildPath).get(0).get("parent").asText());
    assertEquals("stream.spawned", events(childPath).get(1).get("type").asText(), "after the child's own stream.created");
    assertEquals(grandchildPath, events(childPath).get(1).get("child").asText());

    String childToken = child.get("token").asText();
    assertEquals(403, call(childToken, "POST", "/v1/stream/" + root, "{\"type\":\"x\"}").statusCode(), "not its parent");
    assertEquals(403, call(childToken, "POST", "/v1/stream/" + sibling.get("stream").asText(), "{\"type\":\"x\"}").statusCode(),
        "not its sibling");
    assertEquals(204, call(childToken, "POST", "/v1/stream/" + childPath, "{\"type\":\"x\"}").statusCode());
    assertEquals(204, call(childToken, "POST", "/v1/stream/" + grandchildPath, "{\"type\":\"x\"}").statusCode(), "its subtree");

    HttpResponse<String> held = call(grandchildToken, "POST", "/v1/stream/" + grandchildPath,
        "{\"type\":\"tool.call\",\"tool\":\"email.send\"}");
    assertEquals(202, held.statusCode(), "the root's gate holds the grandchild's action: " + held.body());

    HttpResponse<String> again = call(planner(root), "POST", "/v1/spawn/" + root, "{\"name\":\"researcher\"}");
    assertEquals(200, again.statusCode(), "spawning is idempotent by name");
    assertFalse(JSON.readTree(again.body()).get("created").asBoolean());
    long spawnedEvents = 0;
    for (JsonNode event : events(root)) {
      spawnedEvents += event.get("type").asText().equals("stream.spawned") ? 1 : 0;
    }
    assertEquals(2, spawnedEvents, "researcher and writer, once each");

    JsonNode tree = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root)).GET()).body());
    assertEquals(2, tree.get("children").size());
    JsonNode researcher = tree.get("children").get(0).get("stream").asText().equals(childPath)
        ? tree.get("children").get(0) : tree.get("children").get(1);
    assertEquals(grandchildPath, researcher.get("children").get(0).get("stream").asText());
    assertEquals(1, researcher.get("children").get(0).get("pendingApprovals").asInt());
    assertEquals("research", researcher.get("purpose").asText());
  }

  @Test
  void depthAndFanOutLimitsRefuseNamingTheLimit() throws Exception {
    String root = "sessions/limits";
    hub.put(root, "application/json");
    hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/policies/" + root))
        .PUT(BodyPublishers.ofString("{\"spawn\":{\"maxDepth\":2,\"maxChildren\":2,\"maxDescendants\":10}}")));
    String admin = hub.adminToken();
    spawn(admin, root, "a");
    spawn(admin, root, "b");
    HttpResponse<String> third = call(admin, "POST", "/v1/spawn/" + root, "{\"name\":\"c\"}");
    assertEquals(409, third.statusCode());
    assertEquals("spawn_limit_exceeded", JSON.readTree(third.body()).get("error").asText());
    assertTrue(JSON.readTree(third.body()).get("message").asText().contains("maxChildren"));
    spawn(admin, root + "/agents/a", "deep");
    HttpResponse<String> tooDeep = call(admin, "POST", "/v1/spawn/" + root + "/agents/a/agents/deep", "{\"name\":\"deeper\"}");
    assertEquals(409, tooDeep.statusCode());
    assertTrue(JSON.readTree(tooDeep.body()).get("message").asText().contains("maxDepth"));
  }

  @Test
  void cancelingTheRootCancelsEveryDescendantLeafFirstWithTheirApprovals() throws Exception {
    String root = gatedRoot("sessions/cancel");
    String admin = hub.adminToken();
    String a = spawn(admin, root, "a").get("stream").asText();
    String a1 = spawn(admin, a, "a1").get("stream").asText();
    String b = spawn(admin, root, "b").get("stream").asText();
    HttpResponse<String> held = call(admin, "POST", "/v1/stream/" + a1, "{\"type\":\"payment\"}");
    String approval = JSON.readTree(held.body()).get("approval").get("id").asText();

    HttpResponse<String> canceled = call(admin, "POST", "/v1/tree/" + root + "/cancel", null);
    assertEquals(200, canceled.statusCode(), canceled.body());
    assertEquals(4, JSON.readTree(canceled.body()).get("canceled").size());

    Instant a1At = canceledAt(a1);
    assertFalse(a1At.isAfter(canceledAt(a)), "leaf before its parent");
    assertFalse(canceledAt(a).isAfter(canceledAt(root)));
    assertFalse(canceledAt(b).isAfter(canceledAt(root)));
    JsonNode a1Events = events(a1);
    assertEquals("approval.canceled", a1Events.get(a1Events.size() - 2).get("type").asText(), "its approval first");
    JsonNode approvalNow = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/approvals/" + approval)).GET()).body());
    assertEquals("canceled", approvalNow.get("state").asText());
    assertEquals(409, hub.post(b, "application/json", "{\"type\":\"late\"}").statusCode(), "canceled streams are closed");
    JsonNode tree = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root)).GET()).body());
    assertEquals("canceled", tree.get("state").asText());
  }

  @Test
  void aTreeLongPollIsAnsweredByASpawnAnApprovalAndACancel() throws Exception {
    String root = gatedRoot("sessions/watched");
    String admin = hub.adminToken();
    HttpResponse<String> first = call(admin, "GET", "/v1/tree/" + root, null);
    assertEquals(0, JSON.readTree(first.body()).get("children").size());
    String tag = first.headers().firstValue("ETag").orElseThrow();

    CompletableFuture<HttpResponse<String>> waiting = treeChange(admin, root, tag);
    String child = spawn(admin, root, "helper").get("stream").asText();
    HttpResponse<String> spawned = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, spawned.statusCode(), spawned.body());
    assertEquals(child, JSON.readTree(spawned.body()).get("children").get(0).get("stream").asText());

    waiting = treeChange(admin, root, spawned.headers().firstValue("ETag").orElseThrow());
    assertEquals(202, call(admin, "POST", "/v1/stream/" + child, "{\"type\":\"payment\"}").statusCode());
    HttpResponse<String> held = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(1, JSON.readTree(held.body()).get("children").get(0).get("pendingApprovals").asInt());

    // A cancel is several changes (the approval canceled, stream.canceled appended): each answers
    // one wait, and the last shows the node canceled.
    waiting = treeChange(admin, root, held.headers().firstValue("ETag").orElseThrow());
    assertEquals(200, call(admin, "POST", "/v1/tree/" + child + "/cancel", null).statusCode());
    List<String> states = new ArrayList<>();
    JsonNode node;
    String last;
    do {
      HttpResponse<String> changed = waiting.get(30, TimeUnit.SECONDS);
      assertEquals(200, changed.statusCode(), changed.body());
      node = JSON.readTree(changed.body()).get("children").get(0);
      states.add(node.get("state").asText());
      last = changed.headers().firstValue("ETag").orElseThrow();
      waiting = hub.http.sendAsync(treeRequest(admin, root, last), HttpResponse.BodyHandlers.ofString());
    } while (!node.get("state").asText().equals("canceled") && states.size() < 5);
    waiting.cancel(true);
    assertEquals("canceled", node.get("state").asText(), "states seen: " + states);
    assertEquals(0, node.get("pendingApprovals").asInt());

    HttpResponse<String> unchanged = hub.sendRaw(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root + "?wait=300ms"))
        .header("Authorization", "Bearer " + admin).header("If-None-Match", last).GET());
    assertEquals(304, unchanged.statusCode());
    assertEquals(last, unchanged.headers().firstValue("ETag").orElseThrow());
  }

  @Test
  void aTreeLongPollIsAnsweredByANewForkAndByTheForksAppends() throws Exception {
    String root = "sessions/watched-forks";
    hub.put(root, "application/json");
    hub.post(root, "application/json", "{\"step\":0}");
    String admin = hub.adminToken();
    HttpResponse<String> first = call(admin, "GET", "/v1/tree/" + root, null);
    assertEquals(0, JSON.readTree(first.body()).get("forks").size());

    CompletableFuture<HttpResponse<String>> waiting = treeChange(admin, root, first.headers().firstValue("ETag").orElseThrow());
    String fork = root + "/forks/what-if";
    assertEquals(201, hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(fork)))
        .header("Content-Type", "application/json").header("Stream-Forked-From", root)
        .header("Stream-Fork-Offset", Offsets.format(1)).PUT(BodyPublishers.noBody())).statusCode());
    HttpResponse<String> forked = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, forked.statusCode(), forked.body());
    JsonNode shown = JSON.readTree(forked.body()).get("forks").get(0);
    assertEquals(fork, shown.get("stream").asText());
    assertEquals(Offsets.format(1), shown.get("tail").asText());

    waiting = treeChange(admin, root, forked.headers().firstValue("ETag").orElseThrow());
    hub.post(fork, "application/json", "{\"step\":\"1-alternative\"}");
    HttpResponse<String> appended = waiting.get(30, TimeUnit.SECONDS);
    assertEquals(200, appended.statusCode(), appended.body());
    assertEquals(Offsets.format(2), JSON.readTree(appended.body()).get("forks").get(0).get("tail").asText());
  }

  /** A tree long-poll from the tree {@code etag} names, once it waits on the hub. */
  private static CompletableFuture<HttpResponse<String>> treeChange(String token, String root, String etag) throws Exception {
    CompletableFuture<HttpResponse<String>> waiting = hub.http.sendAsync(treeRequest(token, root, etag), HttpResponse.BodyHandlers.ofString());
    Eventually.await(() -> hub.hub().limits().openConnections("subject:test-admin") == 1, 10_000, "the tree long-poll waits");
    return waiting;
  }

  /** Waits up to 60 s: longer than a test waits for the answer, so only a change answers it. */
  private static HttpRequest treeRequest(String token, String root, String etag) {
    return HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root + "?wait=60s"))
        .header("Authorization", "Bearer " + token).header("If-None-Match", etag).GET().build();
  }

  private static Instant canceledAt(String path) throws Exception {
    JsonNode all = events(path);
    JsonNode last = all.get(all.size() - 1);
    assertEquals("stream.canceled", last.get("type").asText(), path);
    return Instant.parse(last.get("at").asText());
  }

  @Test
  void closingAParentClosesItsDescendantsWithTheReasonAndOrigin() throws Exception {
    String root = "sessions/close";
    hub.put(root, "application/json");
    String admin = hub.adminToken();
    String child = spawn(admin, root, "c").get("stream").asText();
    String grandchild = spawn(admin, child, "g").get("stream").asText();
    HttpResponse<String> closed = call(admin, "POST", "/v1/tree/" + child + "/close", "{\"reason\":\"done\"}");
    assertEquals(200, closed.statusCode(), closed.body());
    JsonNode last = events(grandchild).get(events(grandchild).size() - 1);
    assertEquals("stream.closed", last.get("type").asText());
    assertEquals("done", last.get("reason").asText());
    assertEquals(child, last.get("origin").asText());
    JsonNode tree = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root)).GET()).body());
    assertEquals("open", tree.get("state").asText());
    assertEquals("closed", tree.get("children").get(0).get("state").asText());
    assertTrue(tree.get("children").get(0).has("createdAt"));

    // Closing through the protocol cascades too (the sweeper finds open children of closed parents).
    String other = spawn(admin, root, "d").get("stream").asText();
    String otherChild = spawn(admin, other, "e").get("stream").asText();
    assertEquals(204, hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(other)))
        .header("Stream-Closed", "true").POST(BodyPublishers.noBody())).statusCode());
    dev.tandem.hub.Eventually.await(() -> {
      try {
        return lastType(otherChild).equals("stream.closed");
      } catch (Exception e) {
        return false;
      }
    }, 15_000, "the protocol close cascades to the child");
    assertEquals(other, events(otherChild).get(events(otherChild).size() - 1).get("origin").asText());
  }

  @Test
  void largeTreesArePaginated() throws Exception {
    String root = "sessions/wide";
    hub.put(root, "application/json");
    for (int i = 0; i < 5; i++) {
      spawn(hub.adminToken(), root, "n" + i);
    }
    JsonNode first = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root + "?limit=3")).GET()).body());
    assertEquals(6, first.get("total").asInt());
    assertEquals(2, first.get("children").size());
    assertEquals(3, first.get("nextOffset").asInt());
    JsonNode rest = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root + "?limit=3&offset=3")).GET()).body());
    assertEquals(3, rest.get("nodes").size());
    assertEquals(root, rest.get("nodes").get(0).get("parent").asText());
    assertFalse(rest.has("nextOffset"));
  }

  @Test
  void aCascadeInterruptedByARestartCompletes() throws Exception {
    String root = "sessions/interrupted";
    hub.put(root, "application/json");
    String child = spawn(hub.adminToken(), root, "worker").get("stream").asText();
    // The state a crash leaves behind: marked for cancellation, nothing appended yet.
    hub.hub().database().pool().preparedQuery("UPDATE streams SET spawn_state = 'canceling' WHERE path = ANY($1)")
        .execute(Tuple.of((Object) new String[] {root, child})).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    hub.restart();
    assertEquals("stream.canceled", lastType(child));
    assertEquals("stream.canceled", lastType(root));
    JsonNode tree = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + root)).GET()).body());
    assertEquals("canceled", tree.get("children").get(0).get("state").asText());
  }

  private static String lastType(String path) throws Exception {
    JsonNode all = events(path);
    return all.get(all.size() - 1).get("type").asText();
  }

  @Test
  void aForkAtOffsetNReadsTheSourcesFirstNEventsThenItsOwn() throws Exception {
    String source = "sessions/fork-source";
    hub.put(source, "application/json");
    for (int i = 0; i < 10; i++) {
      hub.post(source, "application/json", "{\"step\":" + i + "}");
    }
    String fork = source + "/forks/what-if";
    HttpResponse<String> created = hub.send(HttpRequest.newBuilder(URI.create(hub.streamUrl(fork)))
        .header("Content-Type", "application/json").header("Stream-Forked-From", source)
        .header("Stream-Fork-Offset", Offsets.format(7)).PUT(BodyPublishers.noBody()));
    assertEquals(201, created.statusCode(), created.body());
    hub.post(fork, "application/json", "{\"step\":\"7-alternative\"}");
    hub.post(source, "application/json", "{\"step\":10}");
    List<String> steps = new ArrayList<>();
    events(fork).forEach(e -> steps.add(e.get("step").asText()));
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7-alternative"), steps);
    JsonNode tree = JSON.readTree(hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/v1/tree/" + source)).GET()).body());
    assertEquals(fork, tree.get("forks").get(0).get("stream").asText());
    assertEquals(Offsets.format(7), tree.get("forks").get(0).get("offset").asText());
  }
}
