-- Streams that may hold events older than their retention ($2: the hub default, for streams
-- without their own), in id order after $1. A stream younger than its max age cannot.
SELECT id,
       coalesce(retention_seconds, $2) AS max_age,
       greatest(retained_seq, coalesce(fork_seq, 0)) AS first_stored
  FROM streams
 WHERE id > $1
   AND coalesce(retention_seconds, $2) IS NOT NULL
   AND greatest(retained_seq, coalesce(fork_seq, 0)) < tail_seq
   AND created_at < now() - coalesce(retention_seconds, $2) * interval '1 second'
 ORDER BY id
 LIMIT $3
