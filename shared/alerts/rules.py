"""The rule table: each alert `type` and the function that finds its conditions."""

from __future__ import annotations

from collections.abc import Callable

from shared.alerts import rules_catalog, rules_provider, rules_quality, rules_sheet
from shared.alerts.context import TenantState
from shared.alerts.findings import Finding

Rule = Callable[[TenantState], list[Finding]]

RULES: dict[str, Rule] = {
    "low_stock_predicted": rules_catalog.low_stock_predicted,
    "in_demand_out_of_stock": rules_catalog.in_demand_out_of_stock,
    "validation_issues": rules_catalog.validation_issues,
    "reservations_exceed_stock": rules_catalog.reservations_exceed_stock,
    "sheet_stale": rules_sheet.sheet_stale,
    "sheet_read_failed": rules_sheet.sheet_read_failed,
    "polls_behind": rules_sheet.polls_behind,
    "satisfaction_drop": rules_quality.satisfaction_drop,
    "grounding_drop": rules_quality.grounding_drop,
    "webhook_failures": rules_quality.webhook_failures,
    "provider_degraded": rules_provider.provider_degraded,
}

# A catalog change can only change these; the tick evaluates every rule.
CATALOG_RULES: tuple[str, ...] = (
    "low_stock_predicted",
    "in_demand_out_of_stock",
    "validation_issues",
    "reservations_exceed_stock",
    "sheet_stale",
    "sheet_read_failed",
)
