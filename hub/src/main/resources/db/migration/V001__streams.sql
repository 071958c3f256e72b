-- Streams: one row per stream, holding everything an append must check under the row lock.
CREATE TABLE streams (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  path               text        NOT NULL UNIQUE,
  content_type       text        NOT NULL,
  closed             boolean     NOT NULL DEFAULT false,
  soft_deleted       boolean     NOT NULL DEFAULT false,
  -- The next sequence number to assign: offsets are per stream and strictly increasing.
  tail_seq           bigint      NOT NULL DEFAULT 0,
  ttl_seconds        bigint,
  expires_at         timestamptz,
  last_access        timestamptz NOT NULL DEFAULT now(),
  -- Forks: the source, the offset and sub-offset asked for, and the first sequence number
  -- NOT inherited from the source (where the fork's own records begin).
  fork_source        bigint      REFERENCES streams (id),
  fork_offset        bigint,
  fork_sub_offset    bigint,
  fork_seq           bigint,
  fork_refs          integer     NOT NULL DEFAULT 0,
  -- Last Stream-Seq accepted (writer coordination, scoped per stream).
  stream_seq         text,
  -- The idempotent-producer tuple that closed the stream, so its retry is a duplicate.
  closed_by_producer text,
  closed_by_epoch    bigint,
  closed_by_seq      bigint,
  created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX streams_fork_source ON streams (fork_source) WHERE fork_source IS NOT NULL;
CREATE INDEX streams_expiring ON streams (id) WHERE ttl_seconds IS NOT NULL OR expires_at IS NOT NULL;

-- Events: the log itself. One row per JSON message, or per append for byte streams.
-- No foreign key: the append path inserts thousands of rows per commit and the stream row
-- is already locked by the same transaction.
CREATE TABLE events (
  stream_id bigint NOT NULL,
  seq       bigint NOT NULL,
  payload   bytea  NOT NULL,
  PRIMARY KEY (stream_id, seq)
);

-- Idempotent producers: (stream, producer id) -> epoch and last accepted sequence.
CREATE TABLE producers (
  stream_id   bigint NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  producer_id text   NOT NULL,
  epoch       bigint NOT NULL,
  last_seq    bigint NOT NULL,
  PRIMARY KEY (stream_id, producer_id)
);
