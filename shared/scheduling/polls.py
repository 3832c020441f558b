"""The poll job: its tick (`POLL_JOB`, paced by the Google API budget, re-checking for
sub-minute intervals), and one shop's poll, run by whichever instance Pub/Sub hands its
`ShopDue` to.

A poll takes the shop's lease (a transaction on `schedule/poll`: never two instances polling one
shop; the lease expires by itself if an instance dies), checks the Drive version with a token of
the Drive budget, takes read budget only when the sheet changed (none left: the shop goes back
to the queue, ahead of ordinary checks, and nothing is recorded as a failure), runs
`shared.sheets.poll.poll_tenant`, and reschedules from what it found. An exception releases the
lease and is raised again, so Pub/Sub retries this shop alone (back-off, then dead letter).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from shared.errors import PermanentError, WacrmError
from shared.events import ShopDue, Tick
from shared.log import get_logger, log_event
from shared.quota.budget import budget, call_priority
from shared.scheduling import store
from shared.scheduling.dispatch import DispatchReport, Job, run_tick
from shared.scheduling.plan import READ_CALLS, Outcome, Policy, dispatch_mark
from shared.settings import get_settings
from shared.sheets.poll import PollResult, poll_tenant
from shared.sheets.sources import SheetSource, SourceVersion, open_source
from shared.storage import utcnow
from shared.tenants import TenantConfig, get_tenant

logger = get_logger(__name__)


def policy() -> Policy:
    s = get_settings()
    return Policy(
        lease_s=s.poll_lease_s,
        redispatch_s=s.poll_redispatch_s,
        backoff_after_s=s.poll_backoff_after_s,
        backoff_max_s=s.poll_backoff_max_s,
    )


def _budget_status() -> dict[str, Any]:
    """The budget per minute and what every instance together was granted in the last minute."""
    return {"budget": {name: budget().status(name) for name in ("drive", "sheets")}}


def poll_job() -> Job:
    s = get_settings()
    return Job(
        name=store.POLL,
        topic=s.topic_sheet_polls,
        mark=lambda now: dispatch_mark(now, policy()),
        window_s=s.dispatch_window_s,
        paced=True,
        adopt=True,
        status=_budget_status,
    )


def poll_tick(tick: Tick) -> DispatchReport:
    """The poll tick: dispatch the due shops (re-checking for DISPATCH_WINDOW_S)."""
    return run_tick(poll_job(), tick)


class VersionFirst:
    """A source whose version was asked before the poll (to decide whether a read is worth its
    budget); the poll then gets that same answer instead of a second Drive call."""

    def __init__(self, source: SheetSource) -> None:
        self.source = source
        self.sheet_id = source.sheet_id
        self.description = source.description
        self._version: SourceVersion | None = None
        self._error: WacrmError | None = None

    def peek(self) -> SourceVersion | None:
        try:
            self._version = self.source.version()
        except WacrmError as exc:  # the poll records it, as for any failed read
            self._error = exc
        return self._version

    def version(self) -> SourceVersion:
        if self._error is not None:
            raise self._error
        return self._version or self.source.version()

    def read(self) -> Any:
        return self.source.read()


def _outcome(result: PollResult, *, pushed: bool = False) -> Outcome:
    if result.error:
        return Outcome("failed", pushed=pushed)
    return Outcome("unchanged" if result.skipped else "changed", version=result.version, pushed=pushed)


def _budgeted_poll(config: TenantConfig, schedule: dict[str, Any]) -> Outcome:
    """Poll with budget checks before each spend (Google sheets only; files cost nothing). A
    shop queued by a push is read whatever the version says (the edit may not show there yet)."""
    tenant_id, source = config.tenant_id, open_source(config)
    pushed = schedule.get("priority") == "push"
    reason = "push" if pushed else "tick"
    if config.source_kind == "gsheets":
        wait = get_settings().quota_max_wait_s
        if schedule.get("priority") == "scheduled" or not schedule.get("priority"):
            if not budget().reserve("drive", 1, max_wait_s=wait):
                return Outcome("deferred")
            peek = VersionFirst(source)
            version = peek.peek()
            if version is None or version.version == schedule.get("version"):
                return _outcome(poll_tenant(tenant_id, source=peek, reason=reason))
            source, wait = peek, 0.0  # changed: read now if the budget allows, else queue ahead
        if not budget().reserve("sheets", READ_CALLS, max_wait_s=wait, priority="push" if pushed else None):
            return Outcome("waiting", version=schedule.get("pending_version"))
    with call_priority("push" if pushed else "scheduled"):
        return _outcome(poll_tenant(tenant_id, force=pushed, source=source, reason=reason), pushed=pushed)


def poll_shop(message: ShopDue) -> str:
    """Run the poll `message` asks for, under the shop's lease; returns what happened."""
    tenant_id, rules = message.tenant_id, policy()
    try:
        config = get_tenant(tenant_id)
    except PermanentError:
        store.forget(tenant_id)  # the tenant was deleted (or is broken: its save re-adds it)
        raise
    owner = uuid.uuid4().hex
    schedule, refused = store.take_lease(
        tenant_id, owner=owner, now=utcnow(), dispatched_at=message.dispatched_at, policy=rules
    )
    if schedule is None:
        log_event(logger, 20, "poll not needed", tenant_id=tenant_id, reason=refused)
        return refused or "missing"
    try:
        outcome = _budgeted_poll(config, schedule)
    except Exception:  # released for the next attempt, then raised so Pub/Sub retries this shop
        store.give_back(
            tenant_id,
            owner=owner,
            outcome=Outcome("failed"),
            now=utcnow(),
            interval_s=config.poll_interval_s,
            policy=rules,
        )
        raise
    store.give_back(
        tenant_id, owner=owner, outcome=outcome, now=utcnow(), interval_s=config.poll_interval_s, policy=rules
    )
    return outcome.kind


def poll_pushed(tenant_id: str, poll: Callable[[], PollResult]) -> PollResult:
    """A pushed edit: `poll` now, under the lease and at push priority; when another instance is
    polling the shop, it re-polls as soon as it is done (and this returns a queued result)."""
    config = get_tenant(tenant_id)
    owner, rules = uuid.uuid4().hex, policy()
    schedule, _ = store.take_lease(tenant_id, owner=owner, now=utcnow(), dispatched_at=None, policy=rules)
    if schedule is None:
        store.note_push(tenant_id, utcnow())
        return PollResult(tenant_id=tenant_id, reason="push", skipped=True, error=None)
    try:
        with call_priority("push"):
            result = poll()
    except Exception:  # the lease goes back before the caller answers 503
        store.give_back(
            tenant_id, owner=owner, outcome=Outcome("failed", pushed=True), now=utcnow(),
            interval_s=config.poll_interval_s, policy=rules,
        )  # fmt: skip
        raise
    store.give_back(
        tenant_id, owner=owner, outcome=_outcome(result, pushed=True), now=utcnow(),
        interval_s=config.poll_interval_s, policy=rules,
    )  # fmt: skip
    return result
