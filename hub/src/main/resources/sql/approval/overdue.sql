SELECT id FROM approvals WHERE state = 'pending' AND expires_at <= now() ORDER BY expires_at LIMIT $1
