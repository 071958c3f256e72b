SELECT id FROM approvals WHERE unannounced <> '[]' LIMIT $1
