-- Reads slide a TTL window forward; streams without a TTL are not written to at all.
UPDATE streams SET last_access = now() WHERE id = $1 AND ttl_seconds IS NOT NULL
