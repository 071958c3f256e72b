SELECT record, unannounced FROM approvals WHERE stream_id = $1 AND requester = $2 AND idempotency_key = $3
