-- Traceparents ($4) and authors ($5) may be empty arrays: unnest pads the shorter arrays with nulls.
INSERT INTO events (stream_id, seq, payload, traceparent, author)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::text[], $5::text[])
