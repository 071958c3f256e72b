-- The approvals list (newest first, by state, in pages: approval/list.sql) without a sort of
-- the whole table.
CREATE INDEX approvals_by_state_created ON approvals (state, created_at DESC, id DESC);
