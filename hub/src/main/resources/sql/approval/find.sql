SELECT record FROM approvals WHERE id = $1
