DELETE FROM events WHERE stream_id = $1
