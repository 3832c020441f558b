"""Tags set by rules: "customers who asked about X / bought Y get the tag T".

Rules are `tenants/{T}/tag_rules/{id}` (`tag`, `when`: `asked` | `bought`, `sku`), kept by the owner
in the dashboard. What a customer asked about is `asked_skus` on their customer document; what they
bought comes from their orders (`orders` with their `customer_key`, not cancelled), kept as
`bought_skus`. The tags a rule gives are `rule_tags`, apart from the tags staff set by hand (`tags`),
so removing a rule removes its tags and a staff member's edit never fights a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CANCELLED = frozenset({"cancelled", "canceled", "refunded", "rejected"})


def rule_tags(rules: Iterable[Mapping[str, Any]], asked: Iterable[str], bought: Iterable[str]) -> list[str]:
    """The tags the rules give a customer with these asked-about and bought items (sorted)."""
    facts = {"asked": set(asked), "bought": set(bought)}
    return sorted({str(r["tag"]) for r in rules if r.get("sku") in facts.get(str(r.get("when")), set())})


def bought_by_customer(orders: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """customer_key -> SKUs in their orders that were not cancelled."""
    bought: dict[str, set[str]] = {}
    for order in orders:
        key = order.get("customer_key")
        if not key or order.get("status") in CANCELLED:
            continue
        for line in order.get("lines") or ():
            if isinstance(line, Mapping) and line.get("sku"):
                bought.setdefault(str(key), set()).add(str(line["sku"]))
    return bought


def apply_tag_rules(tenant_id: str) -> int:
    """Recompute every customer's `rule_tags` and `bought_skus`; returns how many changed."""
    from shared.clients import firestore_client
    from shared.storage import chunks, tenant_collection

    rules = [s.to_dict() or {} for s in tenant_collection(tenant_id, "tag_rules").stream()]
    bought = bought_by_customer(s.to_dict() or {} for s in tenant_collection(tenant_id, "orders").stream())
    changes: list[tuple[Any, dict[str, Any]]] = []
    for snap in tenant_collection(tenant_id, "customers").stream():
        data = snap.to_dict() or {}
        skus = sorted(set(data.get("bought_skus") or ()) | bought.get(snap.id, set()))
        tags = rule_tags(rules, data.get("asked_skus") or (), skus)
        update = {k: v for k, v in (("rule_tags", tags), ("bought_skus", skus)) if (data.get(k) or []) != v}
        if update:
            changes.append((snap.reference, update))
    for part in chunks(changes, 400):
        batch = firestore_client().batch()
        for ref, update in part:
            batch.update(ref, update)
        batch.commit()
    return len(changes)
