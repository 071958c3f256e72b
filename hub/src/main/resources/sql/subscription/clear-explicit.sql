-- Removing an explicit link from a path the pattern matches leaves the glob link.
UPDATE subscription_links SET explicit = false WHERE subscription_id = $1 AND path = $2
