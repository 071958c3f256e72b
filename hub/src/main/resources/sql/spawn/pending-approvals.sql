SELECT id FROM approvals WHERE stream_id = $1 AND state = 'pending'
