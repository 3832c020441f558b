"""The Firestore documents of the catalog contract, built from interpreted rows (see README
"Firestore schema"): `catalog/{sku}`, `availability/{sku}`, `slots/{slot_id}`,
`validation_issues/{id}`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.catalog.availability import Status, free_units, stock_status
from shared.catalog.rows import CatalogRow, Issue
from shared.catalog.slots import Slot
from shared.forecasting.slot_fill import expected_fill_days
from shared.forecasting.stock_forecast import days_to_stockout

HISTORY_POINTS = 60  # stock observations kept per SKU (~2 KB, far below 1 MiB)
BOOKING_POINTS = 20


def catalog_doc(row: CatalogRow, *, sheet_id: str, now: datetime) -> dict[str, Any]:
    return {**row.model_dump(), "sheet_id": sheet_id, "updated_at": now}


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def availability_doc(
    row: CatalogRow,
    *,
    previous: dict[str, Any] | None,
    slots: list[Slot],
    now: datetime,
    low_stock_threshold: int = 0,
    previous_slots: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The availability document, or None when nothing in it changed since `previous`.

    Stock history lives here (`history`: the last 60 `{at, stock}` changes), so the forecast
    needs no extra read; a point is added only when the stock count changes.

    Orders hold units (`reserved`, written only by shared.commerce in its transactions, so this
    document is merged, never replaced) and fulfilled ones consume them (`consumed`, counted
    from the sheet's current stock: a new stock figure in the sheet starts it again at 0);
    `available` and `status` follow what is left. Slot seats our bookings hold
    (`previous_slots[id].booked_ours`) count as taken in `free_slots`.
    """
    history: list[dict[str, Any]] = list((previous or {}).get("history") or [])
    if row.stock is not None and (not history or history[-1].get("stock") != row.stock):
        history = [*history, {"at": now, "stock": row.stock}][-HISTORY_POINTS:]
    points = [(_epoch(p["at"]), int(p["stock"])) for p in history]
    forecast = days_to_stockout(points, now=now.timestamp()) if row.stock is not None else None
    before = previous or {}
    consumed = int(before.get("consumed") or 0) if before.get("stock") == row.stock else 0
    reserved = int(before.get("reserved") or 0)
    available = free_units(row.stock, reserved=reserved, consumed=consumed)
    status = row.status
    if (reserved or consumed) and row.kind == "product":
        status = stock_status(available, threshold=low_stock_threshold, hint=row.status, active=row.active)
    doc: dict[str, Any] = {
        "sku": row.sku,
        "name": row.name,
        "kind": row.kind,
        "active": row.active,
        "status": status,
        "stock": row.stock,
        "available": available,
        "days_to_stockout": forecast.days_to_stockout if forecast else None,
        "rate_per_day": round(forecast.rate_per_day, 3) if forecast and forecast.rate_per_day else None,
        "confidence": forecast.confidence if forecast else 0.0,
        "history": history,
        "stale": False,
    }
    if consumed == 0 and before.get("consumed"):
        doc["consumed"] = 0  # the sheet has a new stock figure
    if row.kind == "service":
        ours = {sid: int(s.get("booked_ours") or 0) for sid, s in (previous_slots or {}).items()}
        free = [s for s in slots if s.free - ours.get(s.slot_id, 0) > 0]
        doc["free_slots"] = sum(max(s.free - ours.get(s.slot_id, 0), 0) for s in slots)
        doc["next_free_slot"] = f"{free[0].date} {free[0].start}" if free else None
    if previous is not None:
        same = all(previous.get(k) == v for k, v in doc.items() if k not in ("history",))
        if same and len(previous.get("history") or []) == len(history):
            return None
    # as_of: when these values were read from the sheet; sheet_state.last_checked_at confirms them later.
    return {**doc, "updated_at": now, "as_of": now}


def slot_doc(
    slot: Slot, *, name: str, previous: dict[str, Any] | None, now: datetime
) -> dict[str, Any] | None:
    """A slot document with its booking history and expected fill time; None when unchanged.

    `booked` counts the sheet's bookings (`sheet_booked`) plus ours (`booked_ours`, written only
    by shared.commerce.bookings in its transactions: this document is merged, never replaced)."""
    ours = int((previous or {}).get("booked_ours") or 0)
    booked = slot.booked + ours
    free = max(slot.capacity - booked, 0)
    bookings = list((previous or {}).get("booking_history") or [])
    if not bookings or bookings[-1].get("booked") != booked:
        bookings = [*bookings, {"at": now, "booked": booked}][-BOOKING_POINTS:]
    doc: dict[str, Any] = {
        "sku": slot.sku,
        "name": name,
        "date": slot.date,
        "start": slot.start,
        "capacity": slot.capacity,
        "sheet_booked": slot.booked,
        "booked": booked,
        "free": free,
        "status": "full" if free == 0 else "open",
        "expected_fill_days": expected_fill_days(
            [(_epoch(b["at"]), int(b["booked"])) for b in bookings], capacity=slot.capacity
        ),
        "booking_history": bookings,
    }
    if previous is not None and all(previous.get(k) == v for k, v in doc.items() if k != "booking_history"):
        return None
    return {**doc, "updated_at": now}


def issue_doc(issue: Issue, *, sheet_id: str, now: datetime) -> dict[str, Any]:
    return {**issue.model_dump(), "sheet_id": sheet_id, "seen_at": now}


def removed_catalog_doc(now: datetime) -> dict[str, Any]:
    """Merged into `catalog/{sku}` when the row left the sheet: kept, but inactive."""
    return {"active": False, "status": "out", "removed_at": now, "updated_at": now}


def removed_availability_doc(now: datetime) -> dict[str, Status | Any]:
    return {"active": False, "status": "out", "updated_at": now, "as_of": now}
