-- Streams that just received records (or were created): each live subscription whose pattern
-- matches a path it has not linked yet links it before those records ($3, the first new
-- sequence number), so they count as pending work. A subscription never links its own wake
-- stream.
INSERT INTO subscription_links (subscription_id, path, explicit, stream_id, acked_seq)
SELECT sub.id, c.path, false, c.stream_id, c.before_seq
  FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS c (path, stream_id, before_seq)
  JOIN subscriptions sub
    ON sub.deleted_at IS NULL
   AND sub.pattern_regex IS NOT NULL
   AND c.path ~ sub.pattern_regex
   AND c.path IS DISTINCT FROM sub.wake_stream
    ON CONFLICT (subscription_id, path) DO NOTHING
