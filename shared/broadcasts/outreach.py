"""The minute run of respond.outreach: due broadcasts, weekly owner summaries, health snapshot."""

from __future__ import annotations

from shared.events import Tick
from shared.tenants import for_each_tenant


def outreach_tenant(tenant_id: str, tick: Tick, dead: int | None) -> None:
    from shared.broadcasts.send import run_due
    from shared.reports.weekly import send_weekly_summary
    from shared.status.collect import write_health

    run_due(tenant_id, tick.at)
    send_weekly_summary(tenant_id, tick.at)
    write_health(tenant_id, tick.at, dead=dead)


def run_outreach(tick: Tick) -> None:
    """For the tick's tenant, or every tenant; one tenant's failure never stops the others."""
    from shared.status.collect import dead_lettered

    dead = dead_lettered()  # one count for the whole system, not per tenant
    for_each_tenant(tick.tenant_id, lambda t: outreach_tenant(t, tick, dead), what="outreach")
