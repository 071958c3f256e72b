-- Moves cursors forward only: an older acknowledgement never moves one back.
INSERT INTO cursors AS c (participant, stream_id, offset_seq)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
    ON CONFLICT (participant, stream_id)
    DO UPDATE SET offset_seq = greatest(c.offset_seq, EXCLUDED.offset_seq), updated_at = now()
RETURNING participant, stream_id, offset_seq
