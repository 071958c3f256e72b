DELETE FROM event_purges WHERE stream_id = $1
