-- The cascade reached this stream: 'canceled', or 'closed' for a close cascade.
UPDATE streams SET spawn_state = CASE spawn_state WHEN 'closing' THEN 'closed' ELSE 'canceled' END WHERE id = $1
