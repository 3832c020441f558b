"""alerts on the emulators: every rule fires, de-duplicates, resolves, re-opens within the
cool-down without paging again, and opens anew after it; one webhook notification per opening."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.alerts.evaluate import evaluate_tenant
from shared.alerts.findings import alert_id_for
from shared.analytics.kpis import read_period
from shared.analytics.periods import day_id
from shared.analytics.rollup import run_rollup
from shared.events import TOPIC_ALERTS_TICKS, CatalogChange, ConversationEvent, Tick
from shared.pubsub import publish
from shared.settings import get_settings
from shared.storage import tenant_collection, tenant_ref
from shared.tenants import TenantConfig, get_tenant, save_tenant
from tests.conftest import ROOT


class WebhookStandIn:
    """A Slack-style incoming webhook on 127.0.0.1: records each JSON body; can fail first."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.fail_next = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if stand_in.fail_next > 0:
                    stand_in.fail_next -= 1
                    self.send_response(503)
                else:
                    stand_in.received.append(body)
                    self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts_about(self, alert_id: str) -> list[str]:
        return [b["text"] for b in self.received if f"alert {alert_id})" in b["text"]]


@pytest.fixture
def hook() -> Iterator[WebhookStandIn]:
    stand_in = WebhookStandIn()
    yield stand_in
    stand_in.server.shutdown()


@pytest.fixture
def tenant(emulators, tenant_id: str, hook: WebhookStandIn) -> str:
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id=uuid.uuid4().hex,
            source="file:/dev/null",
            notify_webhook_url=hook.url,
            business_name="Test Shop",
        )
    )
    return tenant_id


def _set(tenant_id: str, collection: str, doc_id: str, data: dict) -> None:
    tenant_collection(tenant_id, collection).document(doc_id).set(data)


def _thresholds(tenant_id: str, **values: object) -> None:
    config = get_tenant(tenant_id, fresh=True)
    save_tenant(
        config.model_copy(update={"alert_thresholds": config.alert_thresholds.model_copy(update=values)})
    )


def _events(tenant_id: str, n: int, **fields: object) -> None:
    """Publish n conversation events now and roll them up (the real analytics path)."""
    now = datetime.now(UTC)
    events = [
        ConversationEvent(event_id=uuid.uuid4().hex, tenant_id=tenant_id, at=now, **fields)  # type: ignore[arg-type]
        for _ in range(n)
    ]
    futures = [publish(get_settings().topic_conversation_events, e, wait=False) for e in events]
    for f in futures:
        f.result(timeout=30)
    before = read_period(tenant_id, day_id(now)).get("events", 0)
    for _ in range(20):
        run_rollup(budget_s=15)
        if read_period(tenant_id, day_id(now)).get("events", 0) >= before + n:
            return
        time.sleep(0.5)
    raise AssertionError("events were not rolled up")


NOW = datetime.now(UTC)


@dataclass
class Case:
    subject: str
    arrange: Callable[[str], None]  # make the condition hold
    clear: Callable[[str], None]  # make it go away


CASES: dict[str, Case] = {
    "low_stock_predicted": Case(
        "SKU-1",
        lambda t: _set(t, "availability", "SKU-1", {"status": "low", "stock": 3, "days_to_stockout": 2.5}),
        lambda t: _set(
            t, "availability", "SKU-1", {"status": "in_stock", "stock": 40, "days_to_stockout": 30}
        ),
    ),
    "in_demand_out_of_stock": Case(
        "SKU-9",
        lambda t: (
            _set(t, "availability", "SKU-9", {"status": "out", "stock": 0}),
            _set(
                t, "catalog", "SKU-9", {"sku": "SKU-9", "name": "Denim jacket", "status": "out", "stock": 0}
            ),
            read_period(t, day_id(datetime.now(UTC))).get("asked_out_of_stock")
            or _events(t, 3, type="message_in", skus_asked=["SKU-9"], skus_out_of_stock=["SKU-9"]),
        ),
        lambda t: _set(t, "availability", "SKU-9", {"status": "in_stock", "stock": 12}),
    ),
    "sheet_stale": Case(
        "main",
        lambda t: _set(t, "sheet_state", "main", {"last_success_at": NOW - timedelta(hours=3)}),
        lambda t: _set(t, "sheet_state", "main", {"last_success_at": datetime.now(UTC)}),
    ),
    "sheet_read_failed": Case(
        "main",
        lambda t: _set(
            t, "sheet_state", "main", {"last_success_at": NOW, "last_error": "HTTP 403 from Sheets"}
        ),
        lambda t: _set(t, "sheet_state", "main", {"last_success_at": NOW, "last_error": None}),
    ),
    # shared/scheduling: the last poll started 5 minutes after it was due, on a 1-minute interval.
    "polls_behind": Case(
        "poll",
        lambda t: _set(t, "schedule", "poll", {"interval_s": 60, "lag_s": 300.0, "behind": True}),
        lambda t: _set(t, "schedule", "poll", {"interval_s": 60, "lag_s": 2.0, "behind": False}),
    ),
    "validation_issues": Case(
        "sheet",
        lambda t: _set(
            t,
            "validation_issues",
            "r4-stock",
            {"row": 4, "column": "stock", "value": "abc", "problem": "not a number"},
        ),
        lambda t: tenant_collection(t, "validation_issues").document("r4-stock").delete(),
    ),
    # The owner lowered the stock below what open orders hold (then restocked).
    "reservations_exceed_stock": Case(
        "TEE-1",
        lambda t: _set(t, "availability", "TEE-1", {"status": "out", "stock": 2, "reserved": 3}),
        lambda t: _set(t, "availability", "TEE-1", {"status": "low", "stock": 8, "reserved": 3}),
    ),
    "provider_degraded": Case(
        "openai",
        lambda t: _set(
            t,
            "provider_stats",
            "openai",
            {"calls": 50, "errors": 20, "error_rate": 0.4, "latency_ms_p95": 900, "updated_at": NOW},
        ),
        lambda t: _set(
            t,
            "provider_stats",
            "openai",
            {"calls": 50, "errors": 0, "error_rate": 0.0, "latency_ms_p95": 900, "updated_at": NOW},
        ),
    ),
    # Conversation-quality rules: the events go through the real rollup once; the condition then
    # comes and goes with the tenant's threshold.
    "satisfaction_drop": Case(
        "customers",
        lambda t: (
            read_period(t, day_id(datetime.now(UTC))).get("ratings")
            or _events(t, 5, type="rating", rating=2),
            _thresholds(t, satisfaction_min=3.5),
        ),
        lambda t: _thresholds(t, satisfaction_min=1.5),
    ),
    "grounding_drop": Case(
        "replies",
        lambda t: (
            read_period(t, day_id(datetime.now(UTC))).get("replies_graded")
            or _events(t, 10, type="message_out", grounded=False, latency_ms=500.0),
            _thresholds(t, grounding_min=0.9),
        ),
        lambda t: _thresholds(t, grounding_min=0.0),
    ),
    "webhook_failures": Case(
        "webhook",
        lambda t: (
            read_period(t, day_id(datetime.now(UTC))).get("webhook_failures")
            or _events(t, 5, type="webhook_failure"),
            _thresholds(t, webhook_failures_max=5),
        ),
        lambda t: _thresholds(t, webhook_failures_max=50),
    ),
}


def _alert(tenant_id: str, alert_id: str) -> dict:
    return tenant_collection(tenant_id, "alerts").document(alert_id).get().to_dict() or {}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_dedupes_resolves_and_reopens(rule: str, tenant: str, hook: WebhookStandIn) -> None:
    case = CASES[rule]
    alert_id = alert_id_for(f"{rule}:{case.subject}")
    t = datetime.now(UTC)

    case.arrange(tenant)
    assert evaluate_tenant(tenant, now=t).changes.get(alert_id) == "opened"
    alert = _alert(tenant, alert_id)
    assert alert["type"] == rule and alert["status"] == "open" and alert["key"] == f"{rule}:{case.subject}"
    assert alert["severity"] in ("warning", "critical") and alert["title"] and alert["details"]
    assert len(hook.texts_about(alert_id)) == 1

    assert evaluate_tenant(tenant, now=t + timedelta(minutes=1)).changes.get(alert_id) == "updated"
    assert _alert(tenant, alert_id)["first_seen"] == alert["first_seen"]
    assert len(hook.texts_about(alert_id)) == 1

    case.clear(tenant)
    assert evaluate_tenant(tenant, now=t + timedelta(minutes=2)).changes.get(alert_id) == "resolved"
    assert _alert(tenant, alert_id)["status"] == "resolved"
    assert alert_id not in evaluate_tenant(tenant, now=t + timedelta(minutes=3)).changes

    case.arrange(tenant)  # back within the 30-minute cool-down: re-opened, owner not paged again
    assert evaluate_tenant(tenant, now=t + timedelta(minutes=4)).changes.get(alert_id) == "reopened"
    assert _alert(tenant, alert_id)["status"] == "open"
    assert len(hook.texts_about(alert_id)) == 1

    case.clear(tenant)
    evaluate_tenant(tenant, now=t + timedelta(minutes=5))
    case.arrange(tenant)  # back after the cool-down: a new opening, notified once more
    assert evaluate_tenant(tenant, now=t + timedelta(minutes=40)).changes.get(alert_id) == "opened"
    assert _alert(tenant, alert_id)["opening"] == 2
    assert len(hook.texts_about(alert_id)) == 2


def test_concurrent_evaluations_notify_once(tenant: str, hook: WebhookStandIn) -> None:
    CASES["low_stock_predicted"].arrange(tenant)
    threads = [threading.Thread(target=evaluate_tenant, args=(tenant,)) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    evaluate_tenant(tenant)
    alert_id = alert_id_for("low_stock_predicted:SKU-1")
    assert len(hook.texts_about(alert_id)) == 1
    assert _alert(tenant, alert_id)["notified_opening"] == 1


def test_webhook_notification_retries_then_lands_once(tenant: str, hook: WebhookStandIn) -> None:
    hook.fail_next = 2
    CASES["validation_issues"].arrange(tenant)
    evaluate_tenant(tenant)
    evaluate_tenant(tenant)
    alert_id = alert_id_for("validation_issues:sheet")
    texts = hook.texts_about(alert_id)
    assert len(texts) == 1 and "row 4 stock: not a number" in texts[0]
    guard = tenant_collection(tenant, "alert_notifications").document(f"{alert_id}.1.webhook").get().to_dict()
    assert guard and guard["status"] == "sent"


def _wait_alert(tenant_id: str, alert_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        doc = _alert(tenant_id, alert_id)
        if doc:
            return doc
        time.sleep(0.3)
    return {}


def test_served_alerts_answer_a_catalog_change_and_a_tick(tenant: str, hook: WebhookStandIn) -> None:
    change = CatalogChange(
        tenant_id=tenant, sheet_id="main", poll_id="p1", read_failed=True, anomaly="HTTP 403"
    )
    publish(get_settings().topic_catalog_changes, change)
    alert = _wait_alert(tenant, alert_id_for("sheet_read_failed:main"))
    assert alert["status"] == "open" and "HTTP 403" in alert["message"]

    CASES["low_stock_predicted"].arrange(tenant)
    publish(TOPIC_ALERTS_TICKS, Tick(job="evaluate-alerts", tenant_id=tenant))
    alert = _wait_alert(tenant, alert_id_for("low_stock_predicted:SKU-1"))
    assert alert["status"] == "open"
    deadline = time.monotonic() + 10
    while not hook.texts_about(alert_id_for("low_stock_predicted:SKU-1")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(hook.texts_about(alert_id_for("low_stock_predicted:SKU-1"))) == 1


def test_cli_lists_evaluates_and_acknowledges(tenant: str) -> None:
    CASES["low_stock_predicted"].arrange(tenant)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = [sys.executable, "-m", "shared.cli", "alerts"]
    out = subprocess.run([*cli, "evaluate", "--tenant", tenant], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "opened" in out.stdout and "low_stock_predicted.SKU-1" in out.stdout
    listed = json.loads(
        subprocess.run(
            [*cli, "--tenant", tenant, "--json"], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    assert [a["id"] for a in listed["alerts"]] == ["low_stock_predicted.SKU-1"]
    ack = subprocess.run(
        [*cli, "ack", "--tenant", tenant, "low_stock_predicted.SKU-1"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ack.returncode == 0 and "acknowledged" in ack.stdout
    table = subprocess.run([*cli, "--tenant", tenant], env=env, capture_output=True, text=True).stdout
    assert "acknowledged" in table and "SKU-1 predicted to run out" in table
    missing = subprocess.run(
        [*cli, "ack", "--tenant", tenant, "nope"], env=env, capture_output=True, text=True
    )
    assert missing.returncode == 2 and "no alert" in missing.stderr
    assert tenant_ref(tenant).get().exists


def test_owner_whatsapp_notification_once_per_opening(emulators, tenant_id: str) -> None:
    owner = "15559990000"
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id=uuid.uuid4().hex,
            source="file:/dev/null",
            channel="sandbox",
            owner_wa_id=owner,
        )
    )
    CASES["low_stock_predicted"].arrange(tenant_id)
    evaluate_tenant(tenant_id)
    evaluate_tenant(tenant_id)
    from tests.respond_support import key_of  # the owner's conversation is keyed like a customer's

    key = key_of(tenant_id, owner)
    messages = tenant_collection(tenant_id, "conversations").document(key).collection("messages").stream()
    sent = [m.to_dict() or {} for m in messages if m.id.startswith("notify-")]
    assert len(sent) == 1
    assert sent[0]["status"] == "sent" and "SKU-1 predicted to run out" in json.dumps(sent[0], default=str)
    alert = _alert(tenant_id, alert_id_for("low_stock_predicted:SKU-1"))
    assert alert["notified_opening"] == 1
