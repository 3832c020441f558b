"""Analytics: conversation events rolled up, exactly once, into hourly and daily KPI documents.

- `periods`: period ids (`hour_YYYY-MM-DDTHH`, `day_YYYY-MM-DD`, UTC).
- `histogram`: mergeable response-time histograms (fixed buckets, so hours add up to days).
- `delta`: one event's contribution to a period, and merging contributions into a document.
- `dedupe`: which event ids a period has already counted (sharded, packed digests).
- `customers`: per-tenant memory of hashed customer ids, for returning customers.
- `rollup`: pull a batch from `conversation-events`, fold it in per (tenant, day), ack.
- `kpis`: the KPI definitions and their computation from a period document.
"""
