SELECT id, path, fork_source, fork_offset, closed, tail_seq FROM streams
 WHERE fork_source = ANY($1) AND NOT soft_deleted
