-- Drops the batches that have been appended (seq below $2) from the owed list.
UPDATE approvals
   SET unannounced = coalesce((SELECT jsonb_agg(b) FROM jsonb_array_elements(unannounced) b
                                WHERE (b ->> 'seq')::bigint >= $2), '[]')
 WHERE id = $1
