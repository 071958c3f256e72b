DELETE FROM events
 WHERE stream_id = $1
   AND seq IN (SELECT seq FROM events WHERE stream_id = $1 ORDER BY seq LIMIT $2)
