-- The stream, locked, unless another transaction (another node's sweeper) holds it: then no row.
SELECT id, path, content_type, closed, soft_deleted, tail_seq, ttl_seconds, expires_at,
       retention_seconds, retained_seq,
       fork_source, fork_offset, fork_sub_offset, fork_seq, fork_refs,
       parent_id, root_id, depth, spawn_state,
       (expires_at IS NOT NULL AND expires_at <= now())
         OR (ttl_seconds IS NOT NULL AND last_access + ttl_seconds * interval '1 second' <= now()) AS expired,
       (SELECT path FROM streams src WHERE src.id = streams.fork_source) AS fork_source_path,
       (SELECT path FROM streams par WHERE par.id = streams.parent_id) AS parent_path
  FROM streams
 WHERE id = $1
   FOR UPDATE SKIP LOCKED
