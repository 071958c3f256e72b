INSERT INTO streams (path, content_type, parent_id, root_id, depth, spawn_state, spawn_info)
VALUES ($1, 'application/json', $2, $3, $4, 'live', $5)
    ON CONFLICT (path) DO NOTHING
RETURNING id
