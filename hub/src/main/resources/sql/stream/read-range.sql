SELECT seq, payload, traceparent, author
  FROM events
 WHERE stream_id = $1 AND seq >= $2 AND seq < $3
 ORDER BY seq
 LIMIT $4
