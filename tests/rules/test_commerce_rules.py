"""firestore.rules for orders and bookings: staff of the tenant read them and request a status
change; nobody edits items, totals, status or stock from the browser; no other tenant, nobody
signed out."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.rules.firestore_rest import SERVER_TIME, Browser, mock_id_token
from tests.rules.test_firestore_rules import ALLOWED, DENIED, browser

ORDER = {
    "order_id": "O-TEST",
    "status": "placed",
    "items": [
        {"sku": "SKU-1", "name": "Denim jacket", "quantity": 2, "unit_price_minor": 4999, "currency": "USD"}
    ],
    "total_minor": 9998,
    "currency": "USD",
}


@pytest.fixture
def shops(firestore: Any, tenant_id: str) -> dict[str, str]:
    b = f"{tenant_id}-b"
    for t in (tenant_id, b):
        firestore.document(f"tenants/{t}").set({"phone_number_id": "1", "source": "file:x.csv"})
        firestore.document(f"tenants/{t}/orders/O-TEST").set({**ORDER, "created_at": datetime.now(UTC)})
        firestore.document(f"tenants/{t}/bookings/B-TEST").set({"status": "booked", "date": "2026-12-05"})
        firestore.document(f"tenants/{t}/availability/SKU-1").set({"stock": 5, "reserved": 2, "available": 3})
    return {"a": tenant_id, "b": b}


def staff(tenant: str, uid: str = "staff-a") -> Browser:
    return browser(mock_id_token(uid, tenant=tenant))


def _request(status: str, **overrides: Any) -> dict[str, Any]:
    return {"status": status, "staff_uid": "staff-a", "created_at": SERVER_TIME, **overrides}


def test_staff_read_orders_and_request_a_status_change(shops: dict[str, str], firestore: Any) -> None:
    a = staff(shops["a"])
    assert a.get(f"tenants/{shops['a']}/orders/O-TEST") == ALLOWED
    assert a.get(f"tenants/{shops['a']}/bookings/B-TEST") == ALLOWED
    path = f"tenants/{shops['a']}/orders/O-TEST/requests/{uuid.uuid4().hex}"
    assert a.write(path, _request("confirmed"), create=True) == ALLOWED
    assert firestore.document(path).get().get("status") == "confirmed"
    assert a.write(path, {"status": "cancelled"}) == DENIED  # a request is not edited afterwards
    booking = f"tenants/{shops['a']}/bookings/B-TEST/requests/{uuid.uuid4().hex}"
    assert a.write(booking, _request("no_show"), create=True) == ALLOWED


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"status": "paid"}, id="status"),
        pytest.param({"total_minor": 1}, id="total"),
        pytest.param({"items": []}, id="items"),
    ],
)
def test_nobody_edits_an_order_from_the_browser(shops: dict[str, str], fields: dict[str, Any]) -> None:
    assert staff(shops["a"]).write(f"tenants/{shops['a']}/orders/O-TEST", fields) == DENIED
    assert (
        staff(shops["a"]).write(f"tenants/{shops['a']}/orders/O-NEW", {**ORDER, **fields}, create=True)
        == DENIED
    )


def test_nobody_edits_bookings_or_held_stock(shops: dict[str, str]) -> None:
    a = staff(shops["a"])
    assert a.write(f"tenants/{shops['a']}/bookings/B-TEST", {"status": "cancelled"}) == DENIED
    assert a.write(f"tenants/{shops['a']}/availability/SKU-1", {"reserved": 0}) == DENIED
    assert a.delete(f"tenants/{shops['a']}/orders/O-TEST") == DENIED


@pytest.mark.parametrize(
    "request_doc",
    [
        pytest.param(_request("placed"), id="back-to-placed"),
        pytest.param(_request("shipped"), id="unknown-status"),
        pytest.param(_request("paid", staff_uid="someone-else"), id="as-someone-else"),
        pytest.param(_request("paid", total_minor=1), id="extra-field"),
        pytest.param({"status": "paid", "staff_uid": "staff-a"}, id="no-created-at"),
    ],
)
def test_only_a_plain_status_request_is_accepted(shops: dict[str, str], request_doc: dict[str, Any]) -> None:
    path = f"tenants/{shops['a']}/orders/O-TEST/requests/{uuid.uuid4().hex}"
    assert staff(shops["a"]).write(path, request_doc, create=True) == DENIED


def test_no_request_for_an_order_that_does_not_exist(shops: dict[str, str]) -> None:
    path = f"tenants/{shops['a']}/orders/O-NONE/requests/{uuid.uuid4().hex}"
    assert staff(shops["a"]).write(path, _request("paid"), create=True) == DENIED


def test_other_tenants_and_signed_out_users_can_do_nothing(shops: dict[str, str]) -> None:
    path = f"tenants/{shops['a']}/orders/O-TEST/requests/{uuid.uuid4().hex}"
    for other in (staff(shops["b"], "staff-b"), browser(None)):
        assert other.get(f"tenants/{shops['a']}/orders/O-TEST") == DENIED
        assert other.write(path, _request("paid", staff_uid="staff-b"), create=True) == DENIED
