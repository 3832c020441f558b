"""Who a broadcast goes to (pure): a segment of the tenant's customers, opted-out never included.

Customers are `tenants/{T}/customers/{customer_key}` documents (the platform area's identity
records): `wa_id` (the number to send to), `language`, `tags`, `opted_out`, `last_seen_at`, and
the items they asked about or bought (`asked_skus`, `bought_skus`, kept by the rules in
`shared.broadcasts.tags`).
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


def reachable(customer: Customer) -> bool:
    """May this customer receive a broadcast at all? Never when opted out or without a number."""
    return bool(customer.get("wa_id")) and not customer.get("opted_out")


def matches(customer: Customer, segment: Segment, now: datetime) -> bool:
    if not reachable(customer):
        return False
    if segment.tags and not set(segment.tags) & set(customer.get("tags") or ()):
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
