DELETE FROM subscription_links WHERE subscription_id = $1
