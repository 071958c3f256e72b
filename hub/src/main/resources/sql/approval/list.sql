SELECT record, created_at, id FROM approvals
 WHERE ($1::text IS NULL OR state = $1)
   AND ($2::text IS NULL OR stream_path = $2 OR starts_with(stream_path, $2 || '/'))
   AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
 ORDER BY created_at DESC, id DESC
 LIMIT $3
