"""Catalog rules: predicted stock-outs, in-demand items that are out, validation issues."""

from __future__ import annotations

from shared.alerts.context import TenantState
from shared.alerts.findings import Finding


def low_stock_predicted(state: TenantState) -> list[Finding]:
    """An item forecast to run out within the tenant's lead time (and not out yet)."""
    lead = state.tenant.lead_time_days
    found = []
    for sku, doc in state.availability.items():
        days = doc.get("days_to_stockout")
        if not isinstance(days, int | float) or days > lead or doc.get("status") == "out":
            continue
        found.append(
            Finding(
                type="low_stock_predicted",
                subject=sku,
                severity="critical" if days <= min(2, lead) else "warning",
                title=f"{sku} predicted to run out in {days:.1f} days",
                message=(
                    f"{sku} has {doc.get('stock')} left and is forecast to run out in {days:.1f} days, "
                    f"within your {lead}-day lead time. Reorder now."
                ),
                details={
                    "sku": sku,
                    "stock": doc.get("stock"),
                    "days_to_stockout": days,
                    "lead_time_days": lead,
                    "confidence": doc.get("confidence"),
                },
            )
        )
    return found


def in_demand_out_of_stock(state: TenantState) -> list[Finding]:
    """Customers asked at least N times recently for an item that is out of stock now."""
    limits = state.tenant.alert_thresholds
    window = state.analytics_window(limits.in_demand_window_hours)
    asks = window.get("asked_out_of_stock") or {}
    out = [
        sku
        for sku, n in asks.items()
        if n >= limits.in_demand_min_asks and state.availability.get(sku, {}).get("status") == "out"
    ]
    names = state.catalog_names(out)
    return [
        Finding(
            type="in_demand_out_of_stock",
            subject=sku,
            severity="warning",
            title=f"{names.get(sku, sku)} is out of stock and in demand",
            message=(
                f"Customers asked {int(asks[sku])} times in the last {limits.in_demand_window_hours} h "
                f"for {names.get(sku, sku)} ({sku}), which is out of stock."
            ),
            details={"sku": sku, "asks": int(asks[sku]), "window_hours": limits.in_demand_window_hours},
        )
        for sku in sorted(out)
    ]


def validation_issues(state: TenantState) -> list[Finding]:
    """The sheet has rows the poller could not accept."""
    issues = state.validation_issues
    if not issues:
        return []
    examples = [{k: issue.get(k) for k in ("row", "column", "value", "problem")} for issue in issues[:5]]
    count = f"{len(issues)}+" if len(issues) >= 200 else str(len(issues))
    return [
        Finding(
            type="validation_issues",
            subject="sheet",
            severity="warning",
            title=f"{count} problem(s) in the catalog sheet",
            message="Some sheet cells could not be read: "
            + "; ".join(f"row {e['row']} {e['column']}: {e['problem']}" for e in examples[:3]),
            details={"count": len(issues), "examples": examples},
        )
    ]


def reservations_exceed_stock(state: TenantState) -> list[Finding]:
    """Open orders hold more units than the sheet now has (the owner lowered the stock after
    they were placed): some orders cannot be filled as they are."""
    found = []
    for sku, doc in state.availability.items():
        stock, reserved = doc.get("stock"), int(doc.get("reserved") or 0)
        held = reserved + int(doc.get("consumed") or 0)
        if not isinstance(stock, int) or held <= stock:
            continue
        name = doc.get("name") or sku
        found.append(
            Finding(
                type="reservations_exceed_stock",
                subject=sku,
                severity="critical",
                title=f"Orders hold more {name} than you have",
                message=(
                    f"Open orders hold {reserved} of {name} ({sku}) but the sheet says {stock} "
                    f"(after {held - reserved} already sold). Restock it, or cancel or change an order."
                ),
                details={"sku": sku, "stock": stock, "reserved": reserved, "consumed": held - reserved},
            )
        )
    return found
