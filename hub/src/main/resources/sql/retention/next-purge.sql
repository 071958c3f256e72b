-- A deleted stream whose events are still to be removed, unless another sweeper has it.
SELECT stream_id FROM event_purges ORDER BY queued_at LIMIT 1 FOR UPDATE SKIP LOCKED
