INSERT INTO streams (path, content_type, closed, tail_seq, ttl_seconds, expires_at,
                     fork_source, fork_offset, fork_sub_offset, fork_seq, retention_seconds)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT (path) DO NOTHING
RETURNING id
