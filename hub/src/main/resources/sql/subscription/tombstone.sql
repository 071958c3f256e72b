-- DELETE: the subscription stops waking anyone and its current wake can no longer be acked.
UPDATE subscriptions
   SET deleted_at = now(), wake_id = NULL, token_hash = NULL, holder = NULL,
       lease_expires_at = NULL, next_attempt_at = NULL
 WHERE id = $1 AND deleted_at IS NULL
