"""firestore.rules on the Firestore emulator that `./emulator.sh test` starts with them.

Three browser identities: staff of tenant A, staff of tenant B, and nobody signed in (plus a
signed-in user with no tenant claim). Every document is written by the server client (which the
rules do not apply to); every read and write under test goes through the emulator's REST API
with that identity's token, as the dashboard's JS SDK would.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.rules.firestore_rest import SERVER_TIME, Browser, mock_id_token

ALLOWED, DENIED = 200, 403
READABLE = [
    "catalog/SKU-1",
    "availability/SKU-1",
    "slots/SLOT-1",
    "sheet_state/main",
    "validation_issues/row-7-price",
    "conversations/15550001111",
    "conversations/15550001111/messages/wamid.in1",
    "conversations/15550001111/outbox/q1",
    "alerts/open-1",
    "analytics/day_2026-01-01",
    "provider_stats/openai",
]


@pytest.fixture
def tenants(firestore: Any, tenant_id: str) -> dict[str, str]:
    """Tenants A and B with one document in every collection the dashboard reads."""
    b = f"{tenant_id}-b"
    now = datetime.now(UTC)
    for t in (tenant_id, b):
        root = firestore.collection("tenants").document(t)
        root.set({"phone_number_id": "1", "source": "file:x.csv", "currency": "USD"})
        docs: dict[str, dict[str, Any]] = {
            "catalog/SKU-1": {"sku": "SKU-1", "name": "Denim jacket", "price_minor": 4999, "stock": 3},
            "availability/SKU-1": {"status": "low", "stock": 3, "days_to_stockout": 2.5},
            "slots/SLOT-1": {"date": "2026-01-02", "free": 2},
            "sheet_state/main": {"last_poll_at": now},
            "validation_issues/row-7-price": {"row": 7, "column": "price", "problem": "not a price"},
            "conversations/15550001111": {"handoff": False, "last_message_at": now},
            "conversations/15550001111/messages/wamid.in1": {"direction": "in", "text": "hi", "at": now},
            "conversations/15550001111/outbox/q1": {"text": "hello", "status": "sent"},
            "alerts/open-1": {
                "type": "stock_out_predicted",
                "status": "open",
                "severity": "high",
                "last_seen": now,
            },
            "alerts/resolved-1": {"type": "sheet_stale", "status": "resolved", "last_seen": now},
            "analytics/day_2026-01-01": {"messages_in": 3, "messages_out": 3, "conversations": 1},
            "provider_stats/openai": {"calls": 3},
        }
        for path, data in docs.items():
            firestore.document(f"tenants/{t}/{path}").set(data)
    return {"a": tenant_id, "b": b}


def browser(token: str | None) -> Browser:
    return Browser(
        os.environ["FIRESTORE_EMULATOR_HOST"], os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-wacrm"), token
    )


@pytest.fixture
def staff_a(tenants: dict[str, str]) -> Browser:
    return browser(mock_id_token("staff-a", tenant=tenants["a"]))


@pytest.fixture
def staff_b(tenants: dict[str, str]) -> Browser:
    return browser(mock_id_token("staff-b", tenant=tenants["b"]))


@pytest.fixture
def nobody(tenants: dict[str, str]) -> Browser:
    return browser(None)


# --- reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", READABLE)
def test_staff_read_every_document_of_their_own_tenant(
    staff_a: Browser, tenants: dict[str, str], path: str
) -> None:
    assert staff_a.get(f"tenants/{tenants['a']}/{path}") == ALLOWED
    assert staff_a.get(f"tenants/{tenants['a']}") == ALLOWED


@pytest.mark.parametrize("path", READABLE)
def test_staff_of_another_tenant_read_nothing(staff_b: Browser, tenants: dict[str, str], path: str) -> None:
    assert staff_b.get(f"tenants/{tenants['a']}/{path}") == DENIED
    assert staff_b.get(f"tenants/{tenants['a']}") == DENIED


@pytest.mark.parametrize("path", READABLE)
def test_signed_out_users_read_nothing(nobody: Browser, tenants: dict[str, str], path: str) -> None:
    assert nobody.get(f"tenants/{tenants['a']}/{path}") == DENIED


def test_a_user_without_a_tenant_claim_reads_nothing(tenants: dict[str, str]) -> None:
    customer = browser(mock_id_token("someone"))
    assert customer.get(f"tenants/{tenants['a']}/catalog/SKU-1") == DENIED
    assert customer.list_collection(f"tenants/{tenants['a']}", "catalog") == DENIED


def test_collection_listeners_are_limited_to_the_own_tenant(
    staff_a: Browser, staff_b: Browser, nobody: Browser, tenants: dict[str, str]
) -> None:
    a = f"tenants/{tenants['a']}"
    for collection in (
        "catalog",
        "availability",
        "sheet_state",
        "validation_issues",
        "conversations",
        "alerts",
        "analytics",
    ):
        assert staff_a.list_collection(a, collection) == ALLOWED, collection
        assert staff_b.list_collection(a, collection) == DENIED, collection
        assert nobody.list_collection(a, collection) == DENIED, collection
    assert staff_a.list_collection("", "tenants") == DENIED  # no browsing the list of businesses


# --- writes the dashboard needs -------------------------------------------------------------


def test_staff_acknowledge_an_open_alert(staff_a: Browser, firestore: Any, tenants: dict[str, str]) -> None:
    path = f"tenants/{tenants['a']}/alerts/open-1"
    status = staff_a.write(
        path, {"status": "acknowledged", "acknowledged_by": "staff-a", "acknowledged_at": SERVER_TIME}
    )
    assert status == ALLOWED
    stored = firestore.document(path).get().to_dict()
    assert stored["status"] == "acknowledged" and stored["acknowledged_by"] == "staff-a"


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            {"status": "resolved", "acknowledged_by": "staff-a", "acknowledged_at": SERVER_TIME}, id="resolve"
        ),
        pytest.param(
            {"status": "acknowledged", "acknowledged_by": "someone-else", "acknowledged_at": SERVER_TIME},
            id="as-someone-else",
        ),
        pytest.param(
            {
                "status": "acknowledged",
                "acknowledged_by": "staff-a",
                "acknowledged_at": SERVER_TIME,
                "severity": "low",
            },
            id="plus-severity",
        ),
        pytest.param(
            {"status": "acknowledged", "acknowledged_by": "staff-a", "acknowledged_at": "yesterday"},
            id="backdated",
        ),
        pytest.param({"details": "nothing to see"}, id="other-field"),
    ],
)
def test_staff_cannot_change_an_alert_any_other_way(
    staff_a: Browser, tenants: dict[str, str], fields: dict[str, Any]
) -> None:
    assert staff_a.write(f"tenants/{tenants['a']}/alerts/open-1", fields) == DENIED


def test_a_resolved_alert_cannot_be_acknowledged_created_or_deleted(
    staff_a: Browser, tenants: dict[str, str]
) -> None:
    alerts = f"tenants/{tenants['a']}/alerts"
    ack = {"status": "acknowledged", "acknowledged_by": "staff-a", "acknowledged_at": SERVER_TIME}
    assert staff_a.write(f"{alerts}/resolved-1", ack) == DENIED
    assert staff_a.write(f"{alerts}/new", {"status": "open", "type": "x"}, create=True) == DENIED
    assert staff_a.delete(f"{alerts}/open-1") == DENIED


def test_staff_take_over_and_hand_back_a_conversation(
    staff_a: Browser, firestore: Any, tenants: dict[str, str]
) -> None:
    path = f"tenants/{tenants['a']}/conversations/15550001111"
    assert (
        staff_a.write(path, {"handoff": True, "handoff_by": "staff-a", "handoff_at": SERVER_TIME}) == ALLOWED
    )
    assert firestore.document(path).get().get("handoff") is True
    assert (
        staff_a.write(path, {"handoff": False, "handoff_by": "staff-a", "handoff_at": SERVER_TIME}) == ALLOWED
    )
    assert firestore.document(path).get().get("handoff") is False


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"handoff": "yes"}, id="not-a-bool"),
        pytest.param({"handoff": True, "handoff_by": "someone-else"}, id="as-someone-else"),
        pytest.param({"handoff": True, "last_message_preview": "edited"}, id="plus-preview"),
        pytest.param({"window_expires_at": "never"}, id="window"),
    ],
)
def test_staff_cannot_change_a_conversation_otherwise(
    staff_a: Browser, tenants: dict[str, str], fields: dict[str, Any]
) -> None:
    assert staff_a.write(f"tenants/{tenants['a']}/conversations/15550001111", fields) == DENIED


def _reply(**overrides: Any) -> dict[str, Any]:
    return {
        "text": "Sure, I will check for you.",
        "created_at": SERVER_TIME,
        "staff_uid": "staff-a",
        "status": "queued",
        **overrides,
    }


def test_staff_queue_a_reply_in_the_outbox(staff_a: Browser, firestore: Any, tenants: dict[str, str]) -> None:
    path = f"tenants/{tenants['a']}/conversations/15550001111/outbox/{uuid.uuid4().hex}"
    assert staff_a.write(path, _reply(), create=True) == ALLOWED
    assert firestore.document(path).get().get("status") == "queued"
    # Once queued it belongs to the sender: staff cannot rewrite or delete it.
    assert staff_a.write(path, {"text": "changed"}) == DENIED
    assert staff_a.delete(path) == DENIED


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(_reply(status="sent"), id="already-sent"),
        pytest.param(_reply(text=""), id="empty"),
        pytest.param(_reply(text="x" * 4097), id="too-long"),
        pytest.param(_reply(staff_uid="someone-else"), id="as-someone-else"),
        pytest.param(_reply(to="15559999999"), id="other-recipient"),
        pytest.param({"text": "hi", "status": "queued", "staff_uid": "staff-a"}, id="no-created-at"),
    ],
)
def test_only_a_bounded_queued_reply_can_be_created(
    staff_a: Browser, tenants: dict[str, str], reply: dict[str, Any]
) -> None:
    path = f"tenants/{tenants['a']}/conversations/15550001111/outbox/{uuid.uuid4().hex}"
    assert staff_a.write(path, reply, create=True) == DENIED


def test_no_reply_into_a_conversation_that_does_not_exist(staff_a: Browser, tenants: dict[str, str]) -> None:
    path = f"tenants/{tenants['a']}/conversations/15550009999/outbox/{uuid.uuid4().hex}"
    assert staff_a.write(path, _reply(), create=True) == DENIED


# --- writes nobody in a browser may make ------------------------------------------------------

SERVER_OWNED = [
    ("catalog/SKU-1", {"stock": 999}),
    ("availability/SKU-1", {"status": "in_stock"}),
    ("slots/SLOT-1", {"free": 9}),
    ("sheet_state/main", {"stale": False}),
    ("validation_issues/row-7-price", {"problem": "fixed"}),
    ("analytics/day_2026-01-01", {"messages_in": 1000}),
    ("provider_stats/openai", {"calls": 0}),
    ("conversations/15550001111/messages/wamid.in1", {"text": "rewritten"}),
]


@pytest.mark.parametrize(("path", "fields"), SERVER_OWNED, ids=[p for p, _ in SERVER_OWNED])
def test_staff_cannot_write_server_owned_documents(
    staff_a: Browser, tenants: dict[str, str], path: str, fields: dict[str, Any]
) -> None:
    full = f"tenants/{tenants['a']}/{path}"
    assert staff_a.write(full, fields) == DENIED
    assert staff_a.write(f"{full}-new", fields, create=True) == DENIED
    assert staff_a.delete(full) == DENIED


def test_staff_cannot_edit_the_tenant_settings(staff_a: Browser, tenants: dict[str, str]) -> None:
    assert staff_a.write(f"tenants/{tenants['a']}", {"currency": "EUR"}) == DENIED
    assert staff_a.write(f"tenants/{tenants['a']}-new", {"currency": "EUR"}, create=True) == DENIED


def test_staff_of_another_tenant_can_do_none_of_the_staff_actions(
    staff_b: Browser, tenants: dict[str, str]
) -> None:
    a = f"tenants/{tenants['a']}"
    ack = {"status": "acknowledged", "acknowledged_by": "staff-b", "acknowledged_at": SERVER_TIME}
    assert staff_b.write(f"{a}/alerts/open-1", ack) == DENIED
    assert (
        staff_b.write(
            f"{a}/conversations/15550001111",
            {"handoff": True, "handoff_by": "staff-b", "handoff_at": SERVER_TIME},
        )
        == DENIED
    )
    path = f"{a}/conversations/15550001111/outbox/{uuid.uuid4().hex}"
    assert staff_b.write(path, _reply(staff_uid="staff-b"), create=True) == DENIED
    assert staff_b.write(f"{a}/catalog/SKU-1", {"stock": 0}) == DENIED


def test_signed_out_users_can_do_none_of_the_staff_actions(nobody: Browser, tenants: dict[str, str]) -> None:
    a = f"tenants/{tenants['a']}"
    assert (
        nobody.write(f"{a}/alerts/open-1", {"status": "acknowledged", "acknowledged_at": SERVER_TIME})
        == DENIED
    )
    assert nobody.write(f"{a}/conversations/15550001111", {"handoff": True}) == DENIED
    assert nobody.write(f"{a}/conversations/15550001111/outbox/x", _reply(), create=True) == DENIED
    assert nobody.write(f"{a}/catalog/SKU-1", {"stock": 0}) == DENIED
