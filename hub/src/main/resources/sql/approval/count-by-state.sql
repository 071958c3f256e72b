-- For the tandem_approvals gauge: refreshed every few seconds, never per scrape.
SELECT state, count(*) AS approvals FROM approvals GROUP BY state
