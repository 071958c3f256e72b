SELECT s.id, p.document
  FROM streams s
  LEFT JOIN policies p ON p.stream_id = s.id
 WHERE s.path = $1
