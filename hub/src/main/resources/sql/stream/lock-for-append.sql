-- Lock every stream a commit batch touches, in id order so concurrent batches never deadlock.
SELECT id, path, content_type, closed, soft_deleted, tail_seq, stream_seq,
       closed_by_producer, closed_by_epoch, closed_by_seq,
       (expires_at IS NOT NULL AND expires_at <= now())
         OR (ttl_seconds IS NOT NULL AND last_access + ttl_seconds * interval '1 second' <= now()) AS expired
  FROM streams
 WHERE path = ANY($1)
 ORDER BY id
   FOR UPDATE
