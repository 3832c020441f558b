"""Sheet rules: the catalog sheet has not been read successfully for too long, or fails to read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.alerts.context import TenantState
from shared.alerts.findings import Finding
from shared.analytics.periods import as_utc

# sheet_state fields that say "the catalog was confirmed up to date at this time"; the newest wins.
FRESH_FIELDS = (
    "freshness",
    "fresh_at",
    "last_success_at",
    "last_poll_ok_at",
    "last_change_at",
    "last_poll_at",
)
# A held-back read (the no-wipe rule kept the last good catalog) counts as a failed read too:
# the sheet is not reaching customers, and the owner must look at it.
ERROR_FIELDS = ("last_error", "error", "anomaly")


def _latest(doc: dict[str, Any]) -> datetime | None:
    stamps = [as_utc(doc[f]) for f in FRESH_FIELDS if isinstance(doc.get(f), datetime)]
    return max(stamps) if stamps else None


def _error(doc: dict[str, Any]) -> str | None:
    for name in ERROR_FIELDS:
        value = doc.get(name)
        if value:
            return value.get("message", str(value)) if isinstance(value, dict) else str(value)
    return None


def sheet_stale(state: TenantState) -> list[Finding]:
    """No successful read of the sheet for longer than `stale_after_minutes`."""
    limit = timedelta(minutes=state.tenant.alert_thresholds.stale_after_minutes)
    found = []
    for sheet_id, doc in state.sheet_states.items():
        latest = _latest(doc)
        if latest is None or state.now - latest <= limit:
            continue
        minutes = int((state.now - latest).total_seconds() // 60)
        found.append(
            Finding(
                type="sheet_stale",
                subject=sheet_id,
                severity="warning",
                title=f"Catalog sheet not refreshed for {minutes} min",
                message=f"The catalog was last confirmed up to date {minutes} minutes ago; "
                "customers may be told stale stock.",
                details={"sheet_id": sheet_id, "last_fresh_at": latest.isoformat(), "minutes": minutes},
            )
        )
    return found


def sheet_read_failed(state: TenantState) -> list[Finding]:
    """The last read of a sheet failed (sheet_state's last error, or the catalog change says so)."""
    errors = {sheet_id: _error(doc) for sheet_id, doc in state.sheet_states.items()}
    if state.change is not None and (state.change.read_failed or state.change.anomaly):
        errors[state.change.sheet_id] = errors.get(state.change.sheet_id) or (
            state.change.anomaly or "the sheet could not be read"
        )
    return [
        Finding(
            type="sheet_read_failed",
            subject=sheet_id,
            severity="critical",
            title="The catalog sheet cannot be read",
            message=f"Reading the catalog sheet failed: {error}",
            details={"sheet_id": sheet_id, "error": error},
        )
        for sheet_id, error in sorted(errors.items())
        if error
    ]


def polls_behind(state: TenantState) -> list[Finding]:
    """The shop's sheet is polled later than its interval: its last poll started more than one
    interval after it was due, or a change it found has waited over an interval for read budget
    (the project's Google Sheets quota is shared by every shop of the deployment)."""
    doc = state.poll_schedule
    interval = float(doc.get("interval_s") or 60)
    due = as_utc(doc["due_at"]) if isinstance(doc.get("due_at"), datetime) else None
    waiting_s = (state.now - due).total_seconds() if due and doc.get("priority") == "changed" else 0.0
    late_s = max(float(doc.get("lag_s") or 0.0) if doc.get("behind") else 0.0, waiting_s)
    if late_s <= interval:
        return []
    return [
        Finding(
            type="polls_behind",
            subject="poll",
            severity="warning",
            title="Sheet checks are running late",
            message=f"The sheet is checked every {interval:.0f} s, but the last check came {late_s:.0f} s "
            "late: the project's Google Sheets budget is used up by many changing sheets.",
            details={"interval_s": interval, "late_s": round(late_s, 1), "waiting_for_read": waiting_s > 0},
        )
    ]
