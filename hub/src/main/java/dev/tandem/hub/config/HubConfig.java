package dev.tandem.hub.config;

import java.nio.file.Path;

/**
 * Everything the hub can be told at start-up, with its defaults. {@link ConfigLoader} fills it
 * from flags, environment variables and an optional JSON file; docs/operations.md lists every
 * setting.
 *
 * @param databaseUrl a {@code postgres://} URL, or null for the embedded Postgres in {@code dataDir}
 * @param publicUrl the hub's base URL as others reach it (webhook callback and JWKS URLs), or
 *     null for {@code http://host:port}
 * @param webhookAllowLocalhost accept {@code localhost} and {@code 127.0.0.x} webhook URLs
 *     (a development exception to the SSRF rules)
 */
public record HubConfig(
    String host,
    int port,
    Path dataDir,
    String databaseUrl,
    int poolSize,
    long maxAppendBytes,
    int maxJsonMessages,
    int readChunkBytes,
    long longPollTimeoutMs,
    long sseMaxMs,
    int commitLanes,
    int commitMaxBatch,
    long commitMaxBytes,
    long dbTimeoutMs,
    int httpInstances,
    int wsMaxFrameBytes,
    int wsMaxSubscriptions,
    int wsMaxMessagesPerSecond,
    long wsSendQueueBytes,
    long wsSlowConsumerGraceMs,
    long wsHeartbeatMs,
    long wsIdleTimeoutMs,
    String publicUrl,
    boolean webhookAllowLocalhost,
    long subscriptionSweepMs) {

  public static HubConfig defaults() {
    return ConfigLoader.load(new String[0], java.util.Map.of());
  }

  public boolean embeddedDatabase() {
    return databaseUrl == null || databaseUrl.isBlank();
  }

  public Path postgresDataDir() {
    return dataDir.resolve("pg");
  }
}
