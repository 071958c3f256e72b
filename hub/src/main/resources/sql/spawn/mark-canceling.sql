UPDATE streams SET spawn_state = 'canceling' WHERE id = ANY($1) AND coalesce(spawn_state, 'live') <> 'canceled'
