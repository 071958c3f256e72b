SELECT id, stream_path, unannounced, traceparent FROM approvals WHERE id = $1
