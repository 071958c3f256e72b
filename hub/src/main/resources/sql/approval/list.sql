SELECT record FROM approvals
 WHERE ($1::text IS NULL OR state = $1)
   AND ($2::text IS NULL OR stream_path = $2 OR starts_with(stream_path, $2 || '/'))
 ORDER BY created_at DESC
 LIMIT $3
