INSERT INTO producers (stream_id, producer_id, epoch, last_seq)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[])
    ON CONFLICT (stream_id, producer_id)
    DO UPDATE SET epoch = EXCLUDED.epoch, last_seq = EXCLUDED.last_seq
