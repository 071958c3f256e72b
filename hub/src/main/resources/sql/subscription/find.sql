SELECT id, type, pattern, webhook_url, wake_stream, lease_ttl_ms, description, config_hash, created_at,
       deleted_at IS NOT NULL AS deleted, status, generation, wake_id, token_hash, holder,
       lease_expires_at IS NOT NULL AND lease_expires_at <= now() AS lease_expired,
       CASE WHEN lease_expires_at IS NULL THEN NULL
            ELSE greatest(0, ceil(extract(epoch FROM lease_expires_at - now()) * 1000))::bigint END AS lease_remaining_ms,
       attempts,
       next_attempt_at IS NOT NULL AND next_attempt_at > now() AS backing_off
  FROM subscriptions
 WHERE id = $1
