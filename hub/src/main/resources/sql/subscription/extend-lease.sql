UPDATE subscriptions SET lease_expires_at = now() + $2::bigint * interval '1 millisecond' WHERE id = $1
