UPDATE streams SET spawn_state = 'canceled' WHERE id = $1
