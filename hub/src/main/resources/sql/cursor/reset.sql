INSERT INTO cursors (participant, stream_id, offset_seq) VALUES ($1, $2, $3)
    ON CONFLICT (participant, stream_id) DO UPDATE SET offset_seq = EXCLUDED.offset_seq, updated_at = now()
RETURNING offset_seq
