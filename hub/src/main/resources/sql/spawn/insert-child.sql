-- A child inherits its parent's retention, as it inherits its policies.
INSERT INTO streams (path, content_type, parent_id, root_id, depth, spawn_state, spawn_info, retention_seconds)
VALUES ($1, 'application/json', $2, $3, $4, 'live', $5, $6)
    ON CONFLICT (path) DO NOTHING
RETURNING id
