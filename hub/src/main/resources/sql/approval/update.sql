UPDATE approvals SET state = $2, record = $3, batches = $4, unannounced = $5 WHERE id = $1
