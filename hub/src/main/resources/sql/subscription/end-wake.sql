-- The current wake is over (done, released or expired): no holder, no token, no lease.
UPDATE subscriptions
   SET wake_id = NULL, token_hash = NULL, holder = NULL, lease_expires_at = NULL
 WHERE id = $1
