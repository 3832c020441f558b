"""Concurrent alert evaluations (issue 14): several at once for the same opening never raise
(no "Transaction lock timeout" escapes), and the owner is notified once."""

from __future__ import annotations

import concurrent.futures
import uuid

import pytest

from shared.alerts.evaluate import evaluate_tenant
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, save_tenant
from tests.integration.test_alerts import WebhookStandIn, _events, _thresholds

pytestmark = pytest.mark.usefixtures("emulators")


def test_concurrent_evaluations_never_raise_and_notify_once(tenant_id: str) -> None:
    hook = WebhookStandIn()
    try:
        save_tenant(
            TenantConfig(
                tenant_id=tenant_id,
                phone_number_id=uuid.uuid4().hex,
                source="file:/dev/null",
                notify_webhook_url=hook.url,
                business_name="Test Shop",
            )
        )
        _thresholds(tenant_id, webhook_failures_max=3)
        _events(tenant_id, 4, type="webhook_failure", failure="bad_message")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            runs = [pool.submit(evaluate_tenant, tenant_id, rules=("webhook_failures",)) for _ in range(8)]
            results = [r.result() for r in runs]  # re-raises anything a thread raised
        assert sum("opened" in r.changes.values() for r in results) == 1
        [alert] = [d.to_dict() for d in tenant_collection(tenant_id, "alerts").stream()]
        assert alert["status"] == "open"
        evaluate_tenant(tenant_id, rules=("webhook_failures",))  # a later tick finishes any skipped claim
        assert len([b for b in hook.received if "webhook" in b["text"].lower()]) == 1
    finally:
        hook.server.shutdown()
