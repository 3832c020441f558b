"""The alerts job: its tick fans the shops whose `next_eval_at` has come out on
`alert-evaluations`, and each shop's rules run on their own (a failure retries that shop only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.alerts.evaluate import Evaluation, evaluate_tenant
from shared.errors import PermanentError
from shared.events import ShopDue, Tick
from shared.scheduling import store
from shared.scheduling.dispatch import DispatchReport, Job, run_tick
from shared.settings import get_settings


def _next_evaluation(now: datetime) -> dict[str, Any]:
    return {"next_eval_at": now + timedelta(seconds=get_settings().alerts_interval_s), "dispatched_at": now}


def alerts_tick(tick: Tick) -> DispatchReport:
    """The alerts tick: one pass over the shops due for an evaluation."""
    job = Job(name=store.ALERTS, topic=get_settings().topic_alert_evaluations, mark=_next_evaluation)
    return run_tick(job, tick)


def evaluate_shop(message: ShopDue) -> Evaluation | None:
    """Every alert rule for the shop `message` names (its next evaluation was set at dispatch),
    after answering or flagging its inbound messages left unanswered (shared.messaging.sweeper)."""
    from shared.messaging.sweeper import sweep_tenant

    try:
        sweep_tenant(message.tenant_id)
        return evaluate_tenant(message.tenant_id)
    except PermanentError:
        store.forget(message.tenant_id)  # the tenant is gone: nothing dispatches it again
        raise
