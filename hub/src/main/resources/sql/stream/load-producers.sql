SELECT p.stream_id, p.producer_id, p.epoch, p.last_seq
  FROM producers p
  JOIN unnest($1::bigint[], $2::text[]) AS k (stream_id, producer_id)
    ON p.stream_id = k.stream_id AND p.producer_id = k.producer_id
