"""The scheduled run of messages the business starts: due broadcasts, then weekly summaries."""

from __future__ import annotations

from shared.events import Tick
from shared.tenants import for_each_tenant


def outreach_tenant(tenant_id: str, tick: Tick) -> None:
    from shared.broadcasts.send import run_due
    from shared.reports.weekly import send_weekly_summary

    run_due(tenant_id, tick.at)
    send_weekly_summary(tenant_id, tick.at)


def run_outreach(tick: Tick) -> None:
    """For the tick's tenant, or every tenant; one tenant's failure never stops the others."""
    for_each_tenant(tick.tenant_id, lambda t: outreach_tenant(t, tick), what="outreach")
