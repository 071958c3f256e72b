-- Retention: a stream may keep its events for a maximum age only. The sweeper deletes the
-- oldest events of such a stream in bounded batches; the tail (tail_seq) is never touched,
-- so offsets stay monotonic and later appends continue where the stream was.
--   retention_seconds  the stream's own max age (Tandem-Retention); null: the hub default
--   retained_seq       the first sequence number retention kept: every event of this stream
--                      below it was deleted on purpose, and a read that finds one missing
--                      below it knows why
ALTER TABLE streams ADD COLUMN retention_seconds bigint;
ALTER TABLE streams ADD COLUMN retained_seq bigint NOT NULL DEFAULT 0;

-- When each event was committed (the committing transaction's start), which is what a max
-- age is measured against. Events stored before this migration count from its time.
ALTER TABLE events ADD COLUMN appended_at timestamptz NOT NULL DEFAULT now();

-- Streams deleted for good whose events are still to be removed. Deleting a stream only
-- removes its row and queues it here, in one short transaction; the sweeper then deletes
-- the events in bounded batches, so deleting a large stream never holds a long transaction.
CREATE TABLE event_purges (
  stream_id bigint      PRIMARY KEY,
  queued_at timestamptz NOT NULL DEFAULT now()
);
