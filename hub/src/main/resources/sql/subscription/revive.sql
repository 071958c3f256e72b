-- Gives a tombstoned id a new configuration. The generation keeps counting from where the
-- deleted subscription left it, so none of its tokens can match a new wake.
UPDATE subscriptions
   SET type = $2, pattern = $3, pattern_regex = $4, webhook_url = $5, wake_stream = $6,
       lease_ttl_ms = $7, description = $8, config_hash = $9,
       created_at = now(), deleted_at = NULL, status = 'active',
       wake_id = NULL, token_hash = NULL, holder = NULL, lease_expires_at = NULL,
       attempts = 0, next_attempt_at = NULL
 WHERE id = $1 AND deleted_at IS NOT NULL
