"""Facts the pipeline reads besides the catalog: free slots and the shop's Info tab."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    slot_id: str
    sku: str
    date: str  # YYYY-MM-DD, the shop's local date
    start: str  # HH:MM
    free: int


@dataclass(frozen=True)
class InfoEntry:
    """One row of the shop's Info tab (`tenants/{t}/info/{topic_id}`)."""

    topic_id: str
    topic: str
    answer: str
