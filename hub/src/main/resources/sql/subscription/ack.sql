-- Moves cursors to the acked offsets. An ack for the stream the cursor already refers to never
-- moves it back; one for a newer stream at the same path replaces it.
UPDATE subscription_links l
   SET acked_seq = CASE WHEN l.stream_id IS NOT DISTINCT FROM a.stream_id THEN greatest(l.acked_seq, a.acked_seq)
                        ELSE a.acked_seq END,
       stream_id = a.stream_id
  FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS a (path, stream_id, acked_seq)
 WHERE l.subscription_id = $1 AND l.path = a.path
