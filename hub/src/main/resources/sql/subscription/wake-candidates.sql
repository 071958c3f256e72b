-- Subscriptions linked to any of these paths that are idle (no wake in flight, no lease held,
-- no retry waiting) and have pending work on one of them.
SELECT DISTINCT sub.id
  FROM subscription_link_state ls
  JOIN subscriptions sub ON sub.id = ls.subscription_id
 WHERE ls.path = ANY($1)
   AND ls.tail_seq > ls.acked_seq
   AND sub.deleted_at IS NULL
   AND sub.wake_id IS NULL
   AND sub.holder IS NULL
   AND (sub.next_attempt_at IS NULL OR sub.next_attempt_at <= now())
