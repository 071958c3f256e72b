package dev.tandem.hub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  @Test
  void defaults() {
    HubConfig config = ConfigLoader.load(new String[0], Map.of());
    assertEquals(4437, config.port());
    assertEquals("127.0.0.1", config.host());
    assertTrue(config.embeddedDatabase());
    assertNull(config.databaseUrl());
    assertEquals(Path.of("./data/pg"), config.postgresDataDir());
  }

  @Test
  void flagsBeatEnvironmentBeatFile() throws Exception {
    Path file = Files.createTempFile("tandem", ".json");
    Files.writeString(file, "{\"port\": 1000, \"pool-size\": 3, \"long-poll-timeout-ms\": 700}");
    HubConfig config = ConfigLoader.load(new String[] {"--config", file.toString(), "--port=3000"},
        Map.of("TANDEM_PORT", "2000", "TANDEM_POOL_SIZE", "5", "DATABASE_URL", "postgres://u:p@db/tandem"));
    assertEquals(3000, config.port());
    assertEquals(5, config.poolSize());
    assertEquals(700, config.longPollTimeoutMs());
    assertEquals("postgres://u:p@db/tandem", config.databaseUrl());
  }

  @Test
  void helpListsEverySettingWithItsEnvironmentVariableAndDefault() {
    assertTrue(ConfigLoader.wantsHelp(new String[] {"--port", "1", "--help"}));
    assertTrue(ConfigLoader.wantsHelp(new String[] {"-h"}));
    assertFalse(ConfigLoader.wantsHelp(new String[] {"--port", "1"}));
    String usage = ConfigLoader.usage();
    for (String name : ConfigLoader.DEFAULTS.keySet()) {
      assertTrue(usage.contains("--" + name + " "), name);
      assertTrue(usage.contains(ConfigLoader.envName(name)), name);
    }
    assertTrue(usage.lines().anyMatch(line -> line.matches("\\s+--port\\s+TANDEM_PORT\\s+4437")), usage);
    assertTrue(usage.lines().anyMatch(line -> line.matches("\\s+--jwt-secret\\s+TANDEM_JWT_SECRET\\s+\\(unset\\)")), usage);
  }

  @Test
  void mistakesAreNamed() {
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--prot", "1"}, Map.of())).getMessage().contains("--prot"));
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--port", "http"}, Map.of())).getMessage().contains("port"));
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[0], Map.of("TANDEM_POOL_SIZE", "0"))).getMessage().contains("pool-size"));
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--port"}, Map.of())).getMessage().contains("needs a value"));
  }

  @Test
  void subscriptionSettings() {
    HubConfig embedded = ConfigLoader.load(new String[0], Map.of());
    assertTrue(embedded.webhookAllowLocalhost(), "the localhost webhook exception is on in development");
    assertNull(embedded.publicUrl());
    assertEquals(1000, embedded.subscriptionSweepMs());
    HubConfig external = ConfigLoader.load(new String[0], Map.of("DATABASE_URL", "postgres://u:p@db/tandem"));
    assertTrue(!external.webhookAllowLocalhost(), "and off by default with an external database");
    assertTrue(ConfigLoader.load(new String[] {"--webhook-allow-localhost", "true"},
        Map.of("DATABASE_URL", "postgres://u:p@db/tandem")).webhookAllowLocalhost());
    assertEquals("https://hub.example.com/base", ConfigLoader.load(new String[] {"--public-url", "https://hub.example.com/base/"},
        Map.of()).publicUrl());
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--webhook-allow-localhost", "yes"}, Map.of())).getMessage().contains("webhook-allow-localhost"));
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--public-url", "hub.example.com"}, Map.of())).getMessage().contains("public-url"));
  }

  @Test
  void observabilitySettings() {
    HubConfig.ObservabilitySettings defaults = ConfigLoader.load(new String[0], Map.of()).observability();
    assertTrue(defaults.metricsEnabled(), "metrics are on by default");
    assertNull(defaults.metricsToken(), "and open to whoever reaches the port");
    assertFalse(defaults.jsonLogs(), "logs are text by default");

    HubConfig.ObservabilitySettings set = ConfigLoader.load(
        new String[] {"--log-format", "json", "--metrics-token", "scrape-me-0123456789"},
        Map.of("TANDEM_METRICS_ENABLED", "false")).observability();
    assertFalse(set.metricsEnabled());
    assertEquals("scrape-me-0123456789", set.metricsToken());
    assertTrue(set.jsonLogs());
    assertTrue(ConfigLoader.load(new String[0], Map.of("TANDEM_LOG_FORMAT", "JSON")).observability().jsonLogs(),
        "the environment works too, in any case");

    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--log-format", "xml"}, Map.of())).getMessage().contains("log-format"));
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--metrics-enabled", "yes"}, Map.of())).getMessage().contains("metrics-enabled"));
    assertTrue(assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(new String[] {"--metrics-token", "short"}, Map.of())).getMessage().contains("metrics-token"));
  }

  @Test
  void limitSettings() {
    HubConfig.LimitSettings defaults = ConfigLoader.load(new String[0], Map.of()).limits();
    assertNull(defaults.retentionDefaultSeconds(), "events are kept forever unless configured");
    assertEquals(60_000, defaults.retentionSweepMs());
    assertEquals(10_000, defaults.retentionBatchRows());
    assertEquals(256, defaults.maxConnectionsPerPrincipal());
    assertEquals(2000, defaults.maxRequestsPerSecondPerPrincipal());
    assertEquals(60_000, defaults.httpIdleTimeoutMs());
    assertEquals(30_000, defaults.httpRequestTimeoutMs());

    HubConfig.LimitSettings set = ConfigLoader.load(new String[] {"--retention-default-seconds", "86400",
        "--retention-sweep-ms=500", "--retention-batch-rows", "50", "--max-connections-per-principal", "3",
        "--http-idle-timeout-ms", "1000", "--http-request-timeout-ms", "2000"},
        Map.of("TANDEM_MAX_REQUESTS_PER_SECOND_PER_PRINCIPAL", "7")).limits();
    assertEquals(86_400L, set.retentionDefaultSeconds());
    assertEquals(500, set.retentionSweepMs());
    assertEquals(50, set.retentionBatchRows());
    assertEquals(3, set.maxConnectionsPerPrincipal());
    assertEquals(7, set.maxRequestsPerSecondPerPrincipal());
    assertEquals(1000, set.httpIdleTimeoutMs());
    assertEquals(2000, set.httpRequestTimeoutMs());

    for (String[] bad : new String[][] {{"--retention-default-seconds", "0"}, {"--retention-default-seconds", "forever"},
        {"--retention-batch-rows", "0"}, {"--max-connections-per-principal", "0"},
        {"--max-requests-per-second-per-principal", "-1"}, {"--http-idle-timeout-ms", "10"},
        {"--http-request-timeout-ms", "1.5"}}) {
      assertTrue(assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(bad, Map.of()))
          .getMessage().contains(bad[0].substring(2)), bad[0]);
    }
  }
}
