-- A deleted stream's explicit links stay; their cursors will apply to whatever stream is
-- created at the path next, from its beginning.
UPDATE subscription_links SET stream_id = NULL, acked_seq = 0 WHERE stream_id = $1
