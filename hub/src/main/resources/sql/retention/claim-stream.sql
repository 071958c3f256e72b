-- Only one sweeper trims a stream at a time: the others skip it (hub nodes never wait for
-- each other). The lock ends with the transaction. 7407 marks the key as retention's.
SELECT pg_try_advisory_xact_lock(7407, ($1::bigint % 2147483647)::int)
