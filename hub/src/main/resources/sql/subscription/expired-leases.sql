-- Subscriptions whose lease has run out, for the sweeper to end and re-wake.
SELECT id
  FROM subscriptions
 WHERE deleted_at IS NULL
   AND lease_expires_at <= now()
 LIMIT $1
