-- The stream's row is gone; its events are deleted later, in batches (see V007__retention.sql).
INSERT INTO event_purges (stream_id) VALUES ($1) ON CONFLICT DO NOTHING
