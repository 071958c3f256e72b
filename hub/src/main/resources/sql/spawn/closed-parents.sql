-- Parents closed through the protocol whose spawned children are still open: their close
-- cascade has not run (or was interrupted). The sweeper runs it.
SELECT DISTINCT p.path
  FROM streams c JOIN streams p ON p.id = c.parent_id
 WHERE p.closed AND NOT c.closed AND coalesce(c.spawn_state, 'live') = 'live'
 LIMIT $1
