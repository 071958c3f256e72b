-- W3C trace context of the append that created each event (docs/protocol.md, "Trace context").
-- Nullable and without a default, so adding it rewrites no rows and events without one cost
-- only a bit in the row's null bitmap.
ALTER TABLE events ADD COLUMN traceparent text;
