-- A subscription makes the participant follow the stream (it shows in the inbox) without
-- moving an existing cursor.
INSERT INTO cursors (participant, stream_id, offset_seq) VALUES ($1, $2, $3)
    ON CONFLICT (participant, stream_id) DO NOTHING
