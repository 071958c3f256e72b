-- A delivery failed: the wake ends and the next attempt waits $3 ms (persisted, so a restarted
-- hub keeps the schedule).
UPDATE subscriptions
   SET wake_id = NULL, token_hash = NULL, holder = NULL, lease_expires_at = NULL,
       status = 'failed', attempts = $2,
       next_attempt_at = now() + $3::bigint * interval '1 millisecond'
 WHERE id = $1
