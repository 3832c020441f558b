"""Per-shop schedules for many shops on one deployment.

- `intervals`: how often a sheet is polled (its own interval, stretched while quiet).
- `plan`: a shop's schedule document as pure transitions (queue order, lease, release) and the
  dispatcher's pacing.
- `store`: the schedules in Firestore (`tenants/{t}/schedule/{poll|alerts}`), the one indexed
  due query, the lease transactions.
- `dispatch`: a tick fans the due shops out, one `ShopDue` message each.
- `polls`, `evaluations`: the two jobs, and what one shop's message runs.

The Google API budget every call draws from is `shared.quota` (below the sheets layer, which
draws from it).
"""
