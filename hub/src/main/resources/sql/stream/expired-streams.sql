-- Streams whose TTL or absolute expiry has passed, in id order after $1, for the sweeper.
SELECT id
  FROM streams
 WHERE id > $1
   AND NOT soft_deleted
   AND ((expires_at IS NOT NULL AND expires_at <= now())
     OR (ttl_seconds IS NOT NULL AND last_access + ttl_seconds * interval '1 second' <= now()))
 ORDER BY id
 LIMIT $2
