"""Run the alert rules for a tenant and apply what they find to `tenants/{T}/alerts`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from google.api_core.exceptions import Aborted, Conflict, DeadlineExceeded

from shared.alerts import lifecycle, notify
from shared.alerts.context import TenantState
from shared.alerts.findings import Finding
from shared.alerts.rules import CATALOG_RULES, RULES
from shared.errors import PermanentError
from shared.events import CatalogChange
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow
from shared.tenants import get_tenant

logger = get_logger(__name__)


@dataclass
class Evaluation:
    tenant_id: str
    rules: list[str]
    changes: dict[str, str] = field(default_factory=dict)  # alert id → opened/reopened/updated/resolved
    notifications: dict[str, dict[str, str]] = field(default_factory=dict)


def evaluate_tenant(
    tenant_id: str,
    *,
    change: CatalogChange | None = None,
    rules: tuple[str, ...] | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """Evaluate `rules` (all of them by default; the catalog ones for a catalog change)."""
    tenant = get_tenant(tenant_id, fresh=True)
    now = now or utcnow()
    selected = rules or (CATALOG_RULES if change is not None else tuple(RULES))
    state = TenantState(tenant, now, change)
    findings: dict[str, Finding] = {}
    for name in selected:
        for finding in RULES[name](state):
            findings[finding.alert_id] = finding
    result = Evaluation(tenant_id, list(selected))
    cooldown = timedelta(minutes=tenant.alert_thresholds.cooldown_minutes)
    for alert_id in sorted(set(findings) | _active_alert_ids(tenant_id, selected)):
        try:
            step = lifecycle.apply(tenant_id, alert_id, findings.get(alert_id), now, cooldown)
        except (Aborted, Conflict, DeadlineExceeded, ValueError) as exc:
            # A concurrent evaluation holds this alert; it applies the same finding.
            log_event(logger, logging.INFO, "alert contended", alert_id=alert_id, error=type(exc).__name__)
            continue
        if step.change != "none":
            result.changes[alert_id] = step.change
        doc = step.doc or {}
        if doc.get("status") in lifecycle.ACTIVE and int(doc.get("notified_opening", 0)) < int(
            doc.get("opening", 0)
        ):
            result.notifications[alert_id] = notify.notify_opening(tenant, alert_id, doc)
    log_event(
        logger,
        logging.INFO,
        "alerts evaluated",
        tenant_id=tenant_id,
        rules=len(selected),
        findings=len(findings),
        changes=result.changes,
    )
    return result


def _active_alert_ids(tenant_id: str, rules: tuple[str, ...]) -> set[str]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = tenant_collection(tenant_id, "alerts").where(
        filter=FieldFilter("status", "in", list(lifecycle.ACTIVE))
    )
    return {s.id for s in query.stream() if (s.to_dict() or {}).get("type") in rules}


def handle_catalog_change(change: CatalogChange) -> Evaluation | None:
    """A catalog change: the catalog rules for its tenant, right away."""
    try:
        return evaluate_tenant(change.tenant_id, change=change)
    except PermanentError as exc:
        log_event(
            logger, logging.ERROR, "alerts evaluation skipped", tenant_id=change.tenant_id, error=str(exc)
        )
        return None
