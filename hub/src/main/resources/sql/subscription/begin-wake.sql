-- Starts wake number $2 with id $3. A webhook wake holds a lease of $5 ms from now and the hash
-- of its callback token ($4); a pull-wake wake has neither until a worker claims it.
UPDATE subscriptions
   SET generation = $2, wake_id = $3, token_hash = $4, holder = NULL,
       lease_expires_at = CASE WHEN $5::bigint IS NULL THEN NULL ELSE now() + $5::bigint * interval '1 millisecond' END,
       next_attempt_at = NULL
 WHERE id = $1
