"""The owner's weekly summary, end to end on the emulators: the scheduled run on Monday morning
(shop time) posts last week's figures to the owner's webhook once, in the shop's language and
currency, with item names; a redelivered or later tick sends nothing more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.analytics.periods import hour_id
from shared.reports.weekly import send_weekly_summary
from shared.storage import tenant_collection
from shared.tenants import save_tenant
from tests.respond_support import make_tenant
from tests.standins import StandIn

pytestmark = pytest.mark.usefixtures("emulators")


class WebhookStandIn(StandIn):
    """A Slack-style incoming webhook: accepts `{"text": ...}`."""

    def respond(self, path: str, body: Any) -> tuple[int, Any]:
        return 200, {"ok": True}


def test_monday_morning_brings_last_weeks_summary_once(tenant_id: str) -> None:
    with WebhookStandIn().running() as hook:
        config = make_tenant(
            tenant_id,
            locale="pt-BR",
            currency="BRL",
            timezone="America/Sao_Paulo",
            notify_webhook_url=f"{hook.url}/hook",
        )
        save_tenant(config.model_copy(update={"business_name": "Loja da Ana"}))
        catalog = tenant_collection(tenant_id, "catalog")
        catalog.document("VES-1").set({"sku": "VES-1", "name": "Vestido floral"})
        analytics = tenant_collection(tenant_id, "analytics")
        # Wednesday 25 Nov 2026, 15:00 in São Paulo, and Sunday 29 Nov 23:30 (Monday UTC): both in the week.
        for at, doc in (
            (
                datetime(2026, 11, 25, 18, tzinfo=UTC),
                {
                    "conversations": 12,
                    "handoffs": 3,
                    "conversions": 2,
                    "revenue_minor_by_currency": {"BRL": 25980},
                    "asked": {"VES-1": 5},
                },
            ),
            (datetime(2026, 11, 30, 2, 30, tzinfo=UTC), {"conversations": 1, "ratings": 2, "rating_sum": 9}),
            (datetime(2026, 11, 30, 12, tzinfo=UTC), {"conversations": 50}),  # this week: not counted
        ):
            analytics.document(hour_id(at)).set(doc)

        sunday_evening = datetime(2026, 11, 30, 1, tzinfo=UTC)  # Sunday 22:00 in São Paulo
        assert send_weekly_summary(tenant_id, sunday_evening) == {}
        monday_early = datetime(2026, 11, 30, 10, tzinfo=UTC)  # 07:00 in São Paulo
        assert send_weekly_summary(tenant_id, monday_early) == {}
        monday = datetime(2026, 11, 30, 11, 30, tzinfo=UTC)  # 08:30 in São Paulo
        assert send_weekly_summary(tenant_id, monday) == {"webhook": "sent"}
        assert send_weekly_summary(tenant_id, monday + timedelta(minutes=1)) == {}
        assert len(hook.requests) == 1
        text = hook.requests[0][2]["text"]
        assert "Loja da Ana" in text and "13 conversas" in text and "10 respondidas" in text
        assert "R$\xa0259,80" in text and "Vestido floral (5)" in text and "4,5 de 5" in text
        assert "VES-1" not in text
