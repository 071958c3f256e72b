-- A deleted stream leaves the patterns that matched it.
DELETE FROM subscription_links WHERE stream_id = $1 AND NOT explicit
