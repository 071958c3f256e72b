-- The sweeper's safety net: idle subscriptions with pending work on any link (a wake decision
-- missed by this node, a retry whose time has come, work left behind by a restart).
SELECT sub.id
  FROM subscriptions sub
 WHERE sub.deleted_at IS NULL
   AND sub.wake_id IS NULL
   AND sub.holder IS NULL
   AND (sub.next_attempt_at IS NULL OR sub.next_attempt_at <= now())
   AND EXISTS (SELECT 1 FROM subscription_link_state ls
                WHERE ls.subscription_id = sub.id AND ls.tail_seq > ls.acked_seq)
 LIMIT $1
