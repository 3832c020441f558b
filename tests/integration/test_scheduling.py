"""Many shops on one deployment, on the emulators and through the served functions: a tick fans
the due shops out and each is polled by `sheet_poller.poll_shop`; one shop's failure touches no
other; a shop is never polled by two instances at once; a push during a poll is polled right
after; a 5-second interval is served inside the minute; the Google API budget in Firestore is
shared by every instance; the alerts tick fans out too."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.clients import reset_clients
from shared.errors import PermanentError
from shared.events import TOPIC_ALERTS_TICKS, TOPIC_SHEET_POLL_TICKS, ShopDue, Tick
from shared.pubsub import publish
from shared.quota.bucket import BucketSpec
from shared.quota.budget import Budget, FirestoreStore
from shared.scheduling import store
from shared.scheduling.polls import poll_shop, poll_tick
from shared.sheets.poll import poll_tenant
from shared.sheets.push import SIGNATURE_HEADER, sign
from shared.storage import tenant_collection, tenant_ref, utcnow
from shared.tenants import TenantConfig, save_tenant
from tests.integration.test_poll_catalog import rows, write_csv
from tests.integration.test_poll_functions import PUSH_URL, push_body, secret


def make_shop(tenant_id: str, folder: Path, *, interval: int = 60, sheet: Path | None = None) -> Path:
    sheet = sheet or folder / f"{tenant_id}.csv"
    if not sheet.exists() and sheet.suffix == ".csv" and "missing" not in sheet.name:
        write_csv(sheet, rows())
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id=f"pn-{tenant_id}",
            source=f"file:{sheet}",
            poll_interval_s=interval,
        )
    )
    return sheet


def schedule(tenant_id: str) -> dict[str, Any]:
    return store.schedule_ref(tenant_id, store.POLL).get().to_dict() or {}


def wait_for(check: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return check()


def catalog_size(tenant_id: str) -> int:
    return len(list(tenant_collection(tenant_id, "catalog").select([]).stream()))


def test_a_tick_fans_out_and_each_shop_is_polled_alone(tmp_path: Path, emulators: dict[str, str]) -> None:
    prefix = f"fan-{uuid.uuid4().hex[:6]}"
    good = [f"{prefix}-{n}" for n in range(5)]
    broken = f"{prefix}-broken"
    for tenant_id in good:
        make_shop(tenant_id, tmp_path)
    make_shop(broken, tmp_path, sheet=tmp_path / "missing.csv")

    publish(TOPIC_SHEET_POLL_TICKS, Tick(job="poll-sheets"))

    assert wait_for(lambda: all(catalog_size(t) == 12 for t in good), 60)
    assert wait_for(lambda: schedule(broken).get("failures") == 1)
    for tenant_id in good:
        doc = schedule(tenant_id)
        assert doc["lease_owner"] is None and doc["polls"] == 1 and doc["last_outcome"] == "changed"
        assert (doc["due_at"] - doc["last_poll_at"]).total_seconds() == pytest.approx(60, abs=1)
    failed = schedule(broken)
    assert failed["last_outcome"] == "failed"
    assert (failed["due_at"] - failed["last_poll_at"]).total_seconds() == pytest.approx(120, abs=1)
    state = list(tenant_collection(broken, "sheet_state").stream())
    assert state and state[0].to_dict()["last_error"]


def test_two_instances_never_poll_one_shop_at_once(
    tenant_id: str, tmp_path: Path, emulators: dict[str, str]
) -> None:
    make_shop(tenant_id, tmp_path)
    message = ShopDue(tenant_id=tenant_id, job="poll", dispatched_at=utcnow())
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def instance() -> None:
        start.wait()
        outcomes.append(poll_shop(message))

    threads = [threading.Thread(target=instance) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 4, outcomes  # no instance died on the contention
    assert sorted(outcomes).count("changed") == 1, outcomes
    assert set(outcomes) <= {"changed", "leased", "done"}
    assert schedule(tenant_id)["polls"] == 1


def test_a_push_during_a_poll_is_polled_as_soon_as_the_poll_ends(
    tenant_id: str, tmp_path: Path, emulators: dict[str, str]
) -> None:
    import httpx

    sheet = make_shop(tenant_id, tmp_path)
    poll_tenant(tenant_id)
    running, _ = store.take_lease(
        tenant_id, owner="other-instance", now=utcnow(), dispatched_at=None, policy=store_policy()
    )
    assert running is not None
    data = rows()
    data[0][3] = "$42.00"
    write_csv(sheet, data)
    body = push_body(tenant_id)
    answer = httpx.post(
        PUSH_URL, content=body, headers={SIGNATURE_HEADER: sign(body, secret(tenant_id))}, timeout=30
    )
    assert answer.status_code == 200 and answer.json()["skipped"] is True
    assert schedule(tenant_id)["priority"] == "push"

    from shared.scheduling.plan import Outcome

    store.give_back(
        tenant_id,
        owner="other-instance",
        outcome=Outcome("unchanged"),
        now=utcnow(),
        interval_s=60,
        policy=store_policy(),
    )
    assert schedule(tenant_id)["priority"] == "push"
    poll_tick(Tick(job="poll-sheets"))  # one pass: the pushed shop is first in the queue
    price = lambda: tenant_collection(tenant_id, "catalog").document("JKT-001").get().to_dict()["price_minor"]  # noqa: E731
    assert wait_for(lambda: price() == 4200)
    assert wait_for(lambda: schedule(tenant_id).get("priority") == "scheduled")


def store_policy() -> Any:
    from shared.scheduling.polls import policy

    return policy()


def test_a_five_second_interval_is_served_within_the_minute(
    tenant_id: str, tmp_path: Path, emulators: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_shop(tenant_id, tmp_path, interval=5)
    monkeypatch.setenv("DISPATCH_WINDOW_S", "14")
    reset_clients()
    started = time.monotonic()
    report = poll_tick(Tick(job="poll-sheets"))  # one tick, re-checking for 14 s
    assert time.monotonic() - started >= 13 and report.passes >= 10
    assert wait_for(lambda: schedule(tenant_id).get("polls", 0) >= 3, 10), schedule(tenant_id)
    assert schedule(tenant_id)["interval_s"] == 5


def test_a_deleted_shop_is_dropped_from_the_schedule(
    tenant_id: str, tmp_path: Path, emulators: dict[str, str]
) -> None:
    make_shop(tenant_id, tmp_path)
    store.ensure_schedules(tenant_id, interval_s=60, alerts_interval_s=60, now=utcnow())
    tenant_ref(tenant_id).delete()
    from shared.tenants import _cache

    _cache.clear()
    with pytest.raises(PermanentError):
        poll_shop(ShopDue(tenant_id=tenant_id, job="poll"))
    assert not store.schedule_ref(tenant_id, store.POLL).get().exists


def test_instances_share_one_budget_and_pushes_get_the_reserve(emulators: dict[str, str]) -> None:
    bucket = f"test-{uuid.uuid4().hex[:8]}"
    specs = {bucket: BucketSpec(per_minute=300, shards=2)}  # 15 a shard, 3 of them kept for pushes
    instances = [Budget(FirestoreStore(), specs) for _ in range(3)]
    granted: list[int] = []

    def drain(budget: Budget) -> None:
        for _ in range(15):
            if budget.acquire(bucket, 1, max_wait_s=0, spend=True):
                granted.append(1)

    started = time.time()
    threads = [threading.Thread(target=drain, args=(b,)) for b in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refill = (time.time() - started) * specs[bucket].rate * specs[bucket].shards  # earned meanwhile
    # 12 a shard at once (the rest is the pushes' reserve), plus what the run's seconds refilled.
    assert 24 <= len(granted) <= 24 + refill + 1, (len(granted), refill)
    assert instances[0].acquire(bucket, 2, max_wait_s=0, priority="push"), "the reserve is there for pushes"
    status = instances[1].status(bucket)
    assert status["per_minute"] == 300 and status["shards"] == 2


def test_the_alerts_tick_fans_out_one_evaluation_per_shop(
    tenant_id: str, tmp_path: Path, emulators: dict[str, str]
) -> None:
    make_shop(tenant_id, tmp_path)
    store.ensure_schedules(tenant_id, interval_s=60, alerts_interval_s=60, now=utcnow())
    # A condition only a tick's evaluation looks at (no catalog change): polls running late.
    store.schedule_ref(tenant_id, store.POLL).set({"lag_s": 400.0, "behind": True}, merge=True)

    publish(TOPIC_ALERTS_TICKS, Tick(job="evaluate-alerts"))

    def alert() -> dict[str, Any]:
        docs = [d.to_dict() or {} for d in tenant_collection(tenant_id, "alerts").stream()]
        return next((d for d in docs if d.get("type") == "polls_behind"), {})

    assert wait_for(lambda: bool(alert()), 60)
    assert alert()["status"] == "open" and alert()["details"]["late_s"] == 400.0
    evaluations = lambda: store.schedule_ref(tenant_id, store.ALERTS).get().to_dict() or {}  # noqa: E731
    assert wait_for(lambda: "dispatched_at" in evaluations(), 10)  # written right after the publish
    alerts = evaluations()
    assert (alerts["next_eval_at"] - alerts["dispatched_at"]).total_seconds() == pytest.approx(60)
