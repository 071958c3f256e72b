SELECT id, stream_path, unannounced FROM approvals WHERE id = $1
