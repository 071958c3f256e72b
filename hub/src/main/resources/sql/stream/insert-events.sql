INSERT INTO events (stream_id, seq, payload)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])
