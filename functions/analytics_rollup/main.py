"""analytics_rollup entry point. Domain logic: shared.analytics.

`rollup`: a `Tick` from `rollup-ticks` (Cloud Scheduler, every minute) drains the
`analytics-rollup` pull subscription of `conversation-events` into the KPI documents, then
recomputes the sales KPIs from the orders, bookings and slots (shared.analytics.commerce).
"""

import logging

import functions_framework

from shared.analytics.rollup import run_rollup
from shared.errors import PermanentError
from shared.events import Tick
from shared.log import get_logger, log_event
from shared.pubsub import decode_cloud_event

logger = get_logger(__name__)


@functions_framework.cloud_event
def rollup(cloud_event):
    try:
        tick = decode_cloud_event(cloud_event, Tick)
    except PermanentError as exc:
        log_event(logger, logging.ERROR, "rollup tick dropped", error=str(exc))
        return None
    # The subscription holds every tenant's events: a tick drains them all, whatever its tenant_id.
    run_rollup()
    from shared.analytics.commerce import refresh_all

    refresh_all(tick.tenant_id)  # sales KPIs recomputed from orders, bookings and slots
    from shared.analytics.ads import refresh_all as refresh_ads

    refresh_ads(tick.tenant_id)  # per click-to-WhatsApp ad: conversations, orders, revenue
    log_event(logger, logging.DEBUG, "rollup tick done", job=tick.job)
    return None
