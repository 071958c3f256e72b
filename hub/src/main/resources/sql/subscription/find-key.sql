SELECT secret, public_key FROM subscription_keys WHERE name = $1
