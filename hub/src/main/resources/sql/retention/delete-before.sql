DELETE FROM events WHERE stream_id = $1 AND seq >= $2 AND seq < $3
