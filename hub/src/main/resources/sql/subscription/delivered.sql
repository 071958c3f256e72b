-- A delivery reached its receiver: the subscription is healthy again.
UPDATE subscriptions SET status = 'active', attempts = 0, next_attempt_at = NULL WHERE id = $1
