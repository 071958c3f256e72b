DELETE FROM streams WHERE id = $1 RETURNING fork_source
