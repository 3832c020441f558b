"""The alert state machine and the rule-side pure helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.alerts.findings import Finding, alert_id_for
from shared.alerts.lifecycle import next_state
from shared.alerts.rules import CATALOG_RULES, RULES

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
COOL = timedelta(minutes=30)


def _finding(title: str = "x") -> Finding:
    return Finding(type="low_stock_predicted", subject="SKU-1", severity="warning", title=title, message="m")


def test_open_update_resolve_reopen() -> None:
    opened = next_state(None, _finding(), T0, COOL)
    assert opened.change == "opened" and opened.notify
    doc = opened.doc or {}
    assert doc["status"] == "open" and doc["opening"] == 1 and doc["first_seen"] == T0
    assert doc["key"] == "low_stock_predicted:SKU-1"

    again = next_state(doc, _finding("y"), T0 + timedelta(minutes=1), COOL)
    assert again.change == "updated" and not again.notify
    assert (again.doc or {})["title"] == "y" and (again.doc or {})["opening"] == 1

    resolved = next_state(again.doc, None, T0 + timedelta(minutes=2), COOL)
    assert resolved.change == "resolved" and (resolved.doc or {})["status"] == "resolved"
    assert next_state(resolved.doc, None, T0 + timedelta(minutes=3), COOL).change == "none"

    flap = next_state(resolved.doc, _finding(), T0 + timedelta(minutes=10), COOL)
    assert flap.change == "reopened" and not flap.notify
    assert (flap.doc or {})["opening"] == 1 and (flap.doc or {})["status"] == "open"

    later = next_state(resolved.doc, _finding(), T0 + timedelta(minutes=40), COOL)
    assert later.change == "opened" and later.notify
    assert (later.doc or {})["opening"] == 2 and (later.doc or {})["first_seen"] == T0


def test_acknowledged_alert_stays_acknowledged_while_the_condition_holds() -> None:
    doc = {**(next_state(None, _finding(), T0, COOL).doc or {}), "status": "acknowledged"}
    step = next_state(doc, _finding(), T0 + timedelta(minutes=5), COOL)
    assert (step.doc or {})["status"] == "acknowledged" and not step.notify


def test_alert_ids_are_stable_and_safe() -> None:
    assert alert_id_for("low_stock_predicted:SKU-1") == "low_stock_predicted.SKU-1"
    weird = alert_id_for("sheet_stale:a/b c")
    assert "/" not in weird and weird == alert_id_for("sheet_stale:a/b c")
    assert weird != alert_id_for("sheet_stale:a b/c")


def test_every_required_rule_type_exists() -> None:
    assert set(RULES) == {
        "low_stock_predicted",
        "in_demand_out_of_stock",
        "sheet_stale",
        "sheet_read_failed",
        "polls_behind",
        "validation_issues",
        "reservations_exceed_stock",
        "satisfaction_drop",
        "grounding_drop",
        "provider_degraded",
        "webhook_failures",
    }
    assert set(CATALOG_RULES) <= set(RULES)
