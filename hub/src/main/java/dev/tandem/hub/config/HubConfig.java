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
 * @param clusterPresenceTimeoutMs how long another node may stay silent before the presence it
 *     announced is dropped (it sends a heartbeat every third of this while it has connections)
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
    long wsSendQueueTotalBytes,
    long wsSlowConsumerGraceMs,
    long wsHeartbeatMs,
    long wsIdleTimeoutMs,
    long wsFanoutIntervalMs,
    int wsFanoutMaxLoopPercent,
    long clusterTailCheckMs,
    long clusterPresenceTimeoutMs,
    String publicUrl,
    boolean webhookAllowLocalhost,
    long subscriptionSweepMs,
    AuthSettings auth,
    ObservabilitySettings observability,
    LimitSettings limits) {

  /**
   * How callers are identified.
   *
   * @param enabled false only with the explicit {@code --auth none}
   * @param devMode prints dev tokens and serves {@code /v1/dev/tokens}; default: on with the
   *     embedded database, off with an external one
   * @param secret HS256 secret (null: generated and kept in the data directory in dev mode)
   * @param publicKeyFile PEM public key for RS256/ES256 tokens, or null
   * @param jwksFile JSON Web Key Set file with public keys, or null
   */
  public record AuthSettings(boolean enabled, boolean devMode, String secret, Path publicKeyFile,
                             String publicKeyAlgorithm, Path jwksFile, String issuer, String audience,
                             long devTokenTtlSeconds) {}

  /**
   * Metrics and logs.
   *
   * @param metricsEnabled serve Prometheus metrics at {@code GET /metrics}
   * @param metricsToken when set, {@code /metrics} wants {@code Authorization: Bearer <token>};
   *     null: open to whoever reaches the port
   * @param jsonLogs log JSON lines instead of text ({@code log-format=json})
   */
  public record ObservabilitySettings(boolean metricsEnabled, String metricsToken, boolean jsonLogs) {}

  /**
   * Retention of stream data and the bounds each caller and connection is held to. Connection
   * and request limits are counted per hub node.
   *
   * @param retentionDefaultSeconds max age of events in streams created without
   *     {@code Tandem-Retention}, or null to keep them for as long as the stream exists
   * @param retentionSweepMs pause between two retention passes (old events, deleted streams' events)
   * @param retentionBatchRows most events one sweeper statement deletes, so no transaction runs long
   * @param maxConnectionsPerPrincipal WebSocket, SSE and long-poll connections one caller may hold open
   * @param maxRequestsPerSecondPerPrincipal sustained HTTP request rate of one caller (bursts up to
   *     one second's worth)
   * @param httpIdleTimeoutMs an HTTP connection with no request in progress is closed after this
   * @param httpRequestTimeoutMs a request body must have arrived this long after its headers
   */
  public record LimitSettings(Long retentionDefaultSeconds, long retentionSweepMs, int retentionBatchRows,
                              int maxConnectionsPerPrincipal, int maxRequestsPerSecondPerPrincipal,
                              long httpIdleTimeoutMs, long httpRequestTimeoutMs) {}

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
