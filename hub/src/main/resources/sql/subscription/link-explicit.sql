-- Links listed paths explicitly, each at its stream's current tail (a path with no stream yet
-- starts at that stream's beginning). A path already linked keeps its cursor.
INSERT INTO subscription_links (subscription_id, path, explicit, stream_id, acked_seq)
SELECT $1, p.path, true, s.id, coalesce(s.tail_seq, 0)
  FROM unnest($2::text[]) AS p (path)
  LEFT JOIN streams s ON s.path = p.path AND NOT s.soft_deleted
    ON CONFLICT (subscription_id, path) DO UPDATE SET explicit = true
