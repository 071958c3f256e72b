SELECT id, path, content_type, tail_seq, closed FROM streams WHERE id = ANY($1)
