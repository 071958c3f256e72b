-- A stream and all its descendants, deepest first (the order a cascade runs in).
WITH RECURSIVE sub AS (
  SELECT id, path, parent_id, depth, 0 AS level FROM streams WHERE id = $1
  UNION ALL
  SELECT s.id, s.path, s.parent_id, s.depth, sub.level + 1 FROM streams s JOIN sub ON s.parent_id = sub.id
   WHERE sub.level < 64
)
SELECT sub.id, sub.path, sub.parent_id, sub.level, st.closed, st.spawn_state, st.spawn_info, st.tail_seq,
       st.fork_source, st.fork_offset, st.created_at,
       (SELECT count(*) FROM approvals a WHERE a.stream_id = sub.id AND a.state = 'pending') AS pending_approvals
  FROM sub JOIN streams st ON st.id = sub.id
 ORDER BY sub.level DESC, sub.id
