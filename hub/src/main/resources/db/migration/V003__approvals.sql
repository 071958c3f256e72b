-- A stream's own policy document (gates, spawn limits). Children inherit through spawn.
CREATE TABLE policies (
  stream_id  bigint      PRIMARY KEY REFERENCES streams (id) ON DELETE CASCADE,
  document   jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Durable approvals. The record column is the governance Approval as JSON; the others are
-- what queries filter on. Events the hub owes the stream for an approval wait in
-- unannounced (a list of {seq, events} batches) until they are appended, so a crash
-- between the decision and the append is repaired at start-up; the batch sequence is the
-- idempotent producer seq, so a repair never appends twice.
CREATE TABLE approvals (
  id              text        PRIMARY KEY,
  stream_id       bigint      NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
  stream_path     text        NOT NULL,
  requester       text        NOT NULL,
  idempotency_key text,
  state           text        NOT NULL,
  record          jsonb       NOT NULL,
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  batches         bigint      NOT NULL DEFAULT 0,
  unannounced     jsonb       NOT NULL DEFAULT '[]',
  UNIQUE (stream_id, requester, idempotency_key)
);

CREATE INDEX approvals_pending_expiry ON approvals (expires_at) WHERE state = 'pending';
CREATE INDEX approvals_unannounced ON approvals (id) WHERE unannounced <> '[]';
