package dev.tandem.hub.subscription;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;

/**
 * A subscription as stored: its configuration and its wake state. Times that matter for
 * fencing (lease, retry) are judged by the database when the row is read.
 *
 * @param wakeId the wake in flight, or null when none is
 * @param tokenHash SHA-256 of the current wake's callback or claim token, or null
 * @param leaseRemainingMs milliseconds left on the lease, or null when no lease runs
 * @param backingOff a retry is scheduled and its time has not come yet
 */
public record SubscriptionRow(
    String id,
    String type,
    String pattern,
    String webhookUrl,
    String wakeStream,
    int leaseTtlMs,
    String description,
    String configHash,
    OffsetDateTime createdAt,
    boolean deleted,
    String status,
    long generation,
    String wakeId,
    String tokenHash,
    String holder,
    boolean leaseExpired,
    Long leaseRemainingMs,
    int attempts,
    boolean backingOff) {

  static SubscriptionRow from(Row row) {
    return new SubscriptionRow(
        row.getString("id"),
        row.getString("type"),
        row.getString("pattern"),
        row.getString("webhook_url"),
        row.getString("wake_stream"),
        row.getInteger("lease_ttl_ms"),
        row.getString("description"),
        row.getString("config_hash"),
        row.getOffsetDateTime("created_at"),
        row.getBoolean("deleted"),
        row.getString("status"),
        row.getLong("generation"),
        row.getString("wake_id"),
        row.getString("token_hash"),
        row.getString("holder"),
        row.getBoolean("lease_expired"),
        row.getLong("lease_remaining_ms"),
        row.getInteger("attempts"),
        row.getBoolean("backing_off"));
  }

  public boolean isWebhook() {
    return SubscriptionConfig.WEBHOOK.equals(type);
  }

  /** A wake is in flight and still alive: not ended, and its lease (if any) has not run out. */
  public boolean wakeLive() {
    return wakeId != null && !leaseExpired;
  }

  /** A worker holds an unexpired lease. */
  public boolean claimed() {
    return holder != null && !leaseExpired;
  }
}
