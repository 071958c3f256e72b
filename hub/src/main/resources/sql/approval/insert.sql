INSERT INTO approvals (id, stream_id, stream_path, requester, idempotency_key, state, record, expires_at, batches, unannounced, traceparent)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)
    ON CONFLICT (stream_id, requester, idempotency_key) DO NOTHING
RETURNING id
