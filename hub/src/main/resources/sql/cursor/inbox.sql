-- The streams a participant follows, with unread counts, most recent activity first.
SELECT s.path, s.tail_seq, c.offset_seq, s.closed, greatest(s.last_append_at, c.updated_at) AS last_activity, s.id
  FROM cursors c
  JOIN streams s ON s.id = c.stream_id
 WHERE c.participant = $1 AND NOT s.soft_deleted
 ORDER BY last_activity DESC
 LIMIT $2
