-- Wake-up hints for other hub nodes, sent at commit: never the payload, only where to look.
SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload
