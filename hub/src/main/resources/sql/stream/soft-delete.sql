UPDATE streams SET soft_deleted = true WHERE id = $1
