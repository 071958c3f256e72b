SELECT id, path FROM streams WHERE spawn_state = 'canceling' ORDER BY depth DESC, id LIMIT $1
