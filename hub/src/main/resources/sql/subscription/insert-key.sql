-- The first node to generate a key stores it; every other node then reads that one.
INSERT INTO subscription_keys (name, secret, public_key) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING
