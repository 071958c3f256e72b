-- Marks a subtree for a cascade ('canceling' or 'closing'), with who started it, where, and why.
UPDATE streams
   SET spawn_state = $2,
       spawn_info = coalesce(spawn_info, '{}'::jsonb) || jsonb_build_object('cascade', $3::jsonb)
 WHERE id = ANY($1) AND coalesce(spawn_state, 'live') NOT IN ('canceled', 'closed')
