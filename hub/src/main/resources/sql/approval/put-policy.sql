INSERT INTO policies (stream_id, document) VALUES ($1, $2)
    ON CONFLICT (stream_id) DO UPDATE SET document = EXCLUDED.document, updated_at = now()
