"""Availability status of a SKU from its stock count and the tenant's low-stock threshold."""

from __future__ import annotations

from typing import Literal

Status = Literal["in_stock", "low", "out", "unknown"]


def stock_status(
    stock: int | None, *, threshold: int, hint: str | None = None, active: bool = True
) -> Status:
    """`out` at 0 (or inactive), `low` at or below `threshold`, `in_stock` above it, `unknown`
    for a blank cell unless the cell said in words (`in stock`, `sold out`)."""
    if not active:
        return "out"
    if stock is None:
        if hint in ("in_stock", "out"):
            return hint  # type: ignore[return-value]
        return "unknown"
    if stock <= 0:
        return "out"
    if stock <= threshold:
        return "low"
    return "in_stock"


def service_status(free_slots: int, total_slots: int) -> Status:
    """A service is `in_stock` while it has free slots (or needs no booking), `out` when every
    slot is taken."""
    if total_slots == 0:
        return "in_stock"
    if free_slots == 0:
        return "out"
    return "in_stock"


def free_units(stock: int | None, *, reserved: int = 0, consumed: int = 0) -> int | None:
    """Units still free to sell (`available`): the sheet's stock, less what fulfilled orders took
    since the sheet last changed it (`consumed`) and what open orders hold (`reserved`); never
    below 0. None when the sheet gives no count (blank, "in stock")."""
    if stock is None:
        return None
    return max(stock - consumed - reserved, 0)
