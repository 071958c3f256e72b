-- Where one batch of stream $1, from its first stored event $2, stops: at the first event
-- younger than $4 seconds, and after at most $3 events. Only a prefix is ever cut, so what
-- is left stays consecutive.
SELECT coalesce(
         (SELECT seq FROM events
           WHERE stream_id = $1 AND seq >= $2 AND seq < $2 + $3
             AND appended_at > now() - $4::bigint * interval '1 second'
           ORDER BY seq
           LIMIT 1),
         (SELECT max(seq) + 1 FROM events WHERE stream_id = $1 AND seq >= $2 AND seq < $2 + $3),
         $2) AS cut
