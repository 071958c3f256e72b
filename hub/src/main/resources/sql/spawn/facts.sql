-- What the spawn limits look at: live children of the parent, and the root's descendants.
SELECT (SELECT count(*) FROM streams WHERE parent_id = $1 AND spawn_state = 'live') AS live_children,
       (SELECT count(*) FROM streams WHERE root_id = $2) AS descendants
