package dev.tandem.hub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * compose.yaml is checked for what a deployment relies on (no Docker engine runs here): its
 * services, the two hub replicas, health checks, and that the hub image starts the hub with
 * the README's command and nginx passes WebSocket upgrades and unbuffered SSE.
 */
class ComposeFileTest {

  private static final Path COMPOSE = Path.of("../compose.yaml");

  @Test
  void composeFileDescribesAProductionLikeDeployment() throws Exception {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(COMPOSE.toFile());
    JsonNode services = compose.get("services");
    java.util.Set<String> names = new java.util.HashSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertEquals(Set.of("postgres", "hub", "lb"), names);
    assertTrue(services.get("postgres").get("image").asText().startsWith("postgres:"));
    assertTrue(services.get("postgres").get("volumes").get(0).asText().contains("/var/lib/postgresql/data"));
    for (String service : new String[] {"postgres", "hub"}) {
      assertTrue(services.get(service).has("healthcheck"), service + " has a health check");
    }
    JsonNode hub = services.get("hub");
    assertEquals(2, hub.get("deploy").get("replicas").asInt());
    assertTrue(hub.get("environment").get("DATABASE_URL").asText().contains("@postgres:5432/"));
    assertTrue(hub.get("healthcheck").get("test").toString().contains("/readyz"));

    String image = hub.get("build").get("dockerfile_inline").asText();
    String readme = Files.readString(Path.of("../README.md"));
    String start = "java -jar hub/target/tandem-hub.jar";
    assertTrue(readme.contains(start), "the README starts the hub with " + start);
    assertTrue(image.contains("CMD [\"java\", \"-jar\", \"hub/target/tandem-hub.jar\"]"), "the image starts it the same way");
    assertTrue(image.contains("./mvnw -q -B package -DskipTests"), "and builds it like the README");

    String nginx = compose.get("configs").get("nginx").get("content").asText();
    assertTrue(nginx.contains("proxy_set_header Upgrade $$http_upgrade"), "WebSocket upgrades pass through");
    assertTrue(nginx.contains("proxy_buffering off"), "SSE is not buffered");
    assertTrue(nginx.contains("server hub:4437"));
    assertEquals("4437:80", services.get("lb").get("ports").get(0).asText());
  }
}
