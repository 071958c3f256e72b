-- Who appended each event: the verified subject of the caller's token (docs/websocket.md,
-- "Events"). Null for the hub's own events and when authentication is off. Nullable and
-- without a default, so adding it rewrites no rows.
ALTER TABLE events ADD COLUMN author text;
