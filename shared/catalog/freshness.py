"""Freshness: how old the data is, and whether it is stale (last confirmed longer ago than the
tenant's `alert_thresholds.stale_after_minutes`). A reader that finds `stale` says so instead of
quoting stock as fact."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class Freshness(BaseModel):
    stale: bool
    age_minutes: float | None  # since the sheet was last confirmed current; None if never


def assess(last_confirmed_at: datetime | None, *, now: datetime, stale_after_minutes: int) -> Freshness:
    if last_confirmed_at is None:
        return Freshness(stale=True, age_minutes=None)
    age = (now - last_confirmed_at).total_seconds() / 60.0
    return Freshness(stale=age > stale_after_minutes, age_minutes=round(age, 1))


def sheet_freshness(sheet_state: dict, *, now: datetime, stale_after_minutes: int) -> Freshness:
    """Freshness of a `sheet_state` document (its `last_checked_at` is the last confirmation)."""
    return assess(sheet_state.get("last_checked_at"), now=now, stale_after_minutes=stale_after_minutes)
