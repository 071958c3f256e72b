-- A worker takes wake $2/$3 with a lease of $6 ms; a successful claim also ends any retry backoff.
UPDATE subscriptions
   SET generation = $2, wake_id = $3, token_hash = $4, holder = $5,
       lease_expires_at = now() + $6::bigint * interval '1 millisecond',
       status = 'active', attempts = 0, next_attempt_at = NULL
 WHERE id = $1
