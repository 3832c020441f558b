"""The minute run of respond.outreach: tag rules (every 10 minutes), due broadcasts, weekly owner
summaries, the health snapshot (every 2 minutes). A tick sent by hand (any other `job`) runs all."""

from __future__ import annotations

from shared.events import Tick
from shared.tenants import for_each_tenant

TAG_RULES_EVERY_MINUTES = 10
HEALTH_EVERY_MINUTES = 2  # the Status view's snapshot; `python -m shared.cli status` is live


def outreach_tenant(tenant_id: str, tick: Tick, dead: int | None) -> None:
    from shared.broadcasts.send import run_due
    from shared.broadcasts.tags import apply_tag_rules
    from shared.reports.weekly import send_weekly_summary
    from shared.status.collect import write_health

    if tick.at.minute % TAG_RULES_EVERY_MINUTES == 0 or tick.job != "send-outreach":
        apply_tag_rules(tenant_id)  # before the broadcasts, whose segments may use the tags
    run_due(tenant_id, tick.at)
    send_weekly_summary(tenant_id, tick.at)
    if tick.at.minute % HEALTH_EVERY_MINUTES == 0 or tick.job != "send-outreach":
        write_health(tenant_id, tick.at, dead=dead)


def run_outreach(tick: Tick) -> None:
    """For the tick's tenant, or every tenant; one tenant's failure never stops the others."""
    from shared.status.collect import dead_lettered

    dead = dead_lettered()  # one count for the whole system, not per tenant
    for_each_tenant(tick.tenant_id, lambda t: outreach_tenant(t, tick, dead), what="outreach")
