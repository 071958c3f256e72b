-- W3C trace context of the append an approval holds: every event the approval appends
-- (approval.requested, the decision, the released event) carries it (docs/protocol.md,
-- "Trace context"). Nullable, so adding it rewrites no rows.
ALTER TABLE approvals ADD COLUMN traceparent text;
