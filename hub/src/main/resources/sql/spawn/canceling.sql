SELECT id, path, spawn_state, spawn_info -> 'cascade' AS cascade FROM streams
 WHERE spawn_state IN ('canceling', 'closing') ORDER BY depth DESC, id LIMIT $1
