-- Subscriptions (PROTOCOL sections 6 and 7): durable cursors over sets of streams that wake a
-- worker, by webhook or by an event in a wake stream, when a linked stream has pending work.
-- A deleted subscription is kept as a tombstone (deleted_at) so its generation keeps counting
-- up if the id is used again: a token from before the delete can never match a later wake.
CREATE TABLE subscriptions (
  id               text        PRIMARY KEY,
  type             text        NOT NULL CHECK (type IN ('webhook', 'pull-wake')),
  pattern          text,
  -- The pattern as an anchored regular expression, so linking can match paths in SQL.
  pattern_regex    text,
  webhook_url      text,
  wake_stream      text,
  lease_ttl_ms     integer     NOT NULL,
  description      text,
  -- SHA-256 of the normalized configuration: an identical PUT re-confirms, another is a 409.
  config_hash      text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz,
  -- 'failed' while a retry is scheduled after a failed delivery, else 'active'.
  status           text        NOT NULL DEFAULT 'active',
  -- Fencing: generation counts wakes; wake_id names the current one (null: none in flight).
  generation       bigint      NOT NULL DEFAULT 0,
  wake_id          text,
  -- SHA-256 of the current wake's callback or claim token; cleared with the wake.
  token_hash       text,
  holder           text,
  lease_expires_at timestamptz,
  -- Delivery retries: failed attempts in a row and when the next may start.
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz
);

CREATE INDEX subscriptions_leases ON subscriptions (lease_expires_at) WHERE lease_expires_at IS NOT NULL;

-- One cursor per (subscription, stream path). A link exists because the path is listed
-- explicitly or because the pattern matched it; explicit = false means a glob link.
-- acked_seq is the sequence number after the last processed record (the offset acked), for
-- the stream whose id is stream_id: a path deleted and created again is a new stream, and
-- its cursor starts at that stream's beginning.
CREATE TABLE subscription_links (
  subscription_id text    NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  path            text    NOT NULL,
  explicit        boolean NOT NULL,
  stream_id       bigint,
  acked_seq       bigint  NOT NULL,
  PRIMARY KEY (subscription_id, path)
);

CREATE INDEX subscription_links_path ON subscription_links (path);
CREATE INDEX subscription_links_stream ON subscription_links (stream_id) WHERE stream_id IS NOT NULL;

-- Each link with the tail of the stream now at its path and the cursor that applies to that
-- stream; a link to a path with no stream has neither tail nor pending work.
CREATE VIEW subscription_link_state AS
SELECT l.subscription_id,
       l.path,
       l.explicit,
       s.id AS stream_id,
       CASE WHEN s.id IS NULL THEN 0
            WHEN l.stream_id = s.id THEN l.acked_seq
            ELSE coalesce(s.fork_seq, 0) END AS acked_seq,
       coalesce(s.tail_seq, 0) AS tail_seq
  FROM subscription_links l
  LEFT JOIN streams s ON s.path = l.path AND NOT s.soft_deleted;

-- Key material the hub generates once and every node shares: the Ed25519 webhook signing key
-- (private PKCS#8, public X.509) and the HMAC key for callback and claim tokens.
CREATE TABLE subscription_keys (
  name        text        PRIMARY KEY,
  secret      bytea       NOT NULL,
  public_key  bytea,
  created_at  timestamptz NOT NULL DEFAULT now()
);
