-- After a commit batch: each touched stream's new tail, closure and writer state.
UPDATE streams AS s
   SET tail_seq = u.tail_seq,
       closed = u.closed,
       stream_seq = u.stream_seq,
       closed_by_producer = u.closed_by_producer,
       closed_by_epoch = u.closed_by_epoch,
       closed_by_seq = u.closed_by_seq,
       last_access = now(),
       last_append_at = CASE WHEN u.tail_seq > s.tail_seq THEN now() ELSE s.last_append_at END
  FROM unnest($1::bigint[], $2::bigint[], $3::boolean[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
       AS u (id, tail_seq, closed, stream_seq, closed_by_producer, closed_by_epoch, closed_by_seq)
 WHERE s.id = u.id
