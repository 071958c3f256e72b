SELECT id, parent_id, spawn_info FROM streams WHERE path = $1
