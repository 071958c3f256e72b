-- Streams whose TTL or absolute expiry has passed, oldest first, for the sweeper.
SELECT path
  FROM streams
 WHERE NOT soft_deleted
   AND ((expires_at IS NOT NULL AND expires_at <= now())
     OR (ttl_seconds IS NOT NULL AND last_access + ttl_seconds * interval '1 second' <= now()))
 LIMIT $1
