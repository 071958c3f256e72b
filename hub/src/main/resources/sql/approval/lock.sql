SELECT a.record, a.batches, a.unannounced, s.closed
  FROM approvals a
  JOIN streams s ON s.id = a.stream_id
 WHERE a.id = $1
   FOR UPDATE OF a
