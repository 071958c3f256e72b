-- The idempotent-producer states a commit batch needs. Sent right after the row locks in the
-- same pipeline, so it runs once they are held and sees the previous holder's commit.
SELECT s.path, p.producer_id, p.epoch, p.last_seq
  FROM unnest($1::text[], $2::text[]) AS k (path, producer_id)
  JOIN streams s ON s.path = k.path
  JOIN producers p ON p.stream_id = s.id AND p.producer_id = k.producer_id
