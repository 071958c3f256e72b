-- Per-participant cursors: the offset a participant has acknowledged on a stream.
CREATE TABLE cursors (
  participant text        NOT NULL,
  stream_id   bigint      NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  offset_seq  bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (participant, stream_id)
);

CREATE INDEX cursors_stream ON cursors (stream_id);

-- When a stream last received records, for the inbox's "most recent activity first".
ALTER TABLE streams ADD COLUMN last_append_at timestamptz NOT NULL DEFAULT now();
