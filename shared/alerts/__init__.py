"""Alerts: rules that find conditions needing the owner's attention, an alert lifecycle
(open → acknowledged → resolved, stable key, cool-down, re-open) in `tenants/{T}/alerts`, and
owner notifications (webhook, WhatsApp) sent once per opening.

- `findings`: what a rule reports (`Finding`) and the alert id derived from its key.
- `rules_catalog`, `rules_sheet`, `rules_quality`, `rules_provider`: one function per rule.
- `rules`: the rule table (type → rule) and which rules a catalog change re-evaluates.
- `lifecycle`: the state machine, applied to one alert in one transaction.
- `notify`: webhook and WhatsApp delivery, guarded by the opening's id.
- `evaluate`: run the rules for a tenant and apply the results.
"""
