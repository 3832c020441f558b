"""Who a broadcast goes to (pure): a segment of the tenant's customers, opted-out never included.

A customer is their conversation (`tenants/{T}/conversations/{customer_key}`: `wa_id` or
`user_id` to send to, `profile_name`, `username`, `language`, `last_inbound_at`, `opted_out`)
merged with their customer record (`tenants/{T}/customers/{customer_key}`: `opted_out`, the
`tags` staff set, `rule_tags` and `bought_skus` from tag rules (see `shared.broadcasts.tags`),
`asked_skus`). Either document saying `opted_out` keeps the customer out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Customer = Mapping[str, Any]


class Segment(BaseModel):
    """Every condition given must hold; an empty segment is every customer who may be messaged."""

    model_config = ConfigDict(frozen=True)
    tags: tuple[str, ...] = Field(default=(), description="has any of these tags")
    language: str | None = None
    asked_sku: str | None = Field(default=None, description="asked about this item")
    bought_sku: str | None = Field(default=None, description="bought this item")
    seen_within_days: int | None = Field(default=None, ge=1, description="wrote within this many days")

    def describe(self) -> str:
        parts = [f"tag {' or '.join(self.tags)}"] if self.tags else []
        if self.language:
            parts.append(f"language {self.language}")
        if self.asked_sku:
            parts.append(f"asked for {self.asked_sku}")
        if self.bought_sku:
            parts.append(f"bought {self.bought_sku}")
        if self.seen_within_days:
            parts.append(f"wrote in the last {self.seen_within_days} days")
        return ", ".join(parts) or "every customer"


def merge_contact(conversation: Customer | None, record: Customer | None) -> dict[str, Any]:
    """One customer from their conversation and their customer record (keyed alike)."""
    conv, rec = dict(conversation or {}), dict(record or {})
    merged = {**conv, **rec}
    merged["opted_out"] = bool(conv.get("opted_out") or rec.get("opted_out"))
    merged["last_seen_at"] = rec.get("last_seen_at") or conv.get("last_inbound_at")
    return merged


def reachable(customer: Customer) -> bool:
    """May this customer receive a broadcast at all? Never when opted out or with no address."""
    return bool(customer.get("wa_id") or customer.get("user_id")) and not customer.get("opted_out")


def matches(customer: Customer, segment: Segment, now: datetime) -> bool:
    if not reachable(customer):
        return False
    tags = set(customer.get("tags") or ()) | set(customer.get("rule_tags") or ())
    if segment.tags and not set(segment.tags) & tags:
        return False
    if segment.language and customer.get("language") != segment.language:
        return False
    if segment.asked_sku and segment.asked_sku not in (customer.get("asked_skus") or ()):
        return False
    if segment.bought_sku and segment.bought_sku not in (customer.get("bought_skus") or ()):
        return False
    if segment.seen_within_days:
        seen = customer.get("last_seen_at")
        if not isinstance(seen, datetime) or seen < now - timedelta(days=segment.seen_within_days):
            return False
    return True


def audience(
    customers: Iterable[tuple[str, Customer]], segment: Segment, now: datetime
) -> list[tuple[str, Customer]]:
    """The (customer_key, customer) pairs the broadcast goes to, in key order."""
    return sorted(((k, c) for k, c in customers if matches(c, segment, now)), key=lambda kc: kc[0])


def count_by_language(members: Iterable[tuple[str, Customer]], default: str) -> dict[str, int]:
    return dict(Counter(str(c.get("language") or default) for _, c in members))
