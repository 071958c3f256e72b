UPDATE streams SET fork_refs = fork_refs + $2 WHERE id = $1 RETURNING fork_refs, soft_deleted
