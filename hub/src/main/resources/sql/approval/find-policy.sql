-- The policies on the way from the root down to the stream at $1 (the stream itself last).
WITH RECURSIVE chain AS (
  SELECT s.id, s.parent_id, 0 AS level FROM streams s WHERE s.path = $1
  UNION ALL
  SELECT s.id, s.parent_id, c.level + 1 FROM chain c JOIN streams s ON s.id = c.parent_id WHERE c.level < 64
)
SELECT c.id, p.document, c.level
  FROM chain c
  LEFT JOIN policies p ON p.stream_id = c.id
 ORDER BY c.level DESC
