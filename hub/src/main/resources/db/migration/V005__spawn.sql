-- Spawn trees: a child stream records its parent, its root and its depth. spawn_state is
-- 'live', 'canceling' (a cascade is under way: durable, resumed after a restart) or
-- 'canceled'; null for streams that were never spawned.
ALTER TABLE streams ADD COLUMN parent_id bigint REFERENCES streams (id) ON DELETE SET NULL;
ALTER TABLE streams ADD COLUMN root_id bigint REFERENCES streams (id) ON DELETE SET NULL;
ALTER TABLE streams ADD COLUMN depth integer NOT NULL DEFAULT 0;
ALTER TABLE streams ADD COLUMN spawn_state text;
ALTER TABLE streams ADD COLUMN spawn_info jsonb;

CREATE INDEX streams_parent ON streams (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX streams_root ON streams (root_id) WHERE root_id IS NOT NULL;
CREATE INDEX streams_canceling ON streams (depth) WHERE spawn_state = 'canceling';
