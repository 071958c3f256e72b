-- A subscription's links with their cursors and the tails of their streams, by path.
SELECT path, explicit, stream_id, acked_seq, tail_seq
  FROM subscription_link_state
 WHERE subscription_id = $1
 ORDER BY path
