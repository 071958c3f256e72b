-- Eager backfill of a new pattern: every existing stream it matches is linked at its current
-- tail, so creating a subscription does not replay history. $3 is the pattern's literal
-- prefix, a cheap filter before the regular expression; $4 is the subscription's wake stream.
INSERT INTO subscription_links (subscription_id, path, explicit, stream_id, acked_seq)
SELECT $1, s.path, false, s.id, s.tail_seq
  FROM streams s
 WHERE NOT s.soft_deleted
   AND starts_with(s.path, $3)
   AND s.path ~ $2
   AND s.path IS DISTINCT FROM $4
    ON CONFLICT (subscription_id, path) DO NOTHING
