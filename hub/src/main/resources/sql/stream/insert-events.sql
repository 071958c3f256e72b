-- Traceparents ($4) may be an empty array: unnest pads the shorter arrays with nulls.
INSERT INTO events (stream_id, seq, payload, traceparent)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::text[])
