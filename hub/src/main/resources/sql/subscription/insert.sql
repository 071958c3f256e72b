-- Creates a subscription unless the id is taken (live or tombstone); returns it when created.
INSERT INTO subscriptions (id, type, pattern, pattern_regex, webhook_url, wake_stream, lease_ttl_ms,
                           description, config_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (id) DO NOTHING
RETURNING id
