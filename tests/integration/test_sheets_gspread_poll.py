"""A Google Sheets tenant polled end to end: real gspread/google-auth against the stand-in,
real Firestore emulator. An unchanged sheet costs one Drive call and no writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.clients import reset_clients
from shared.sheets.poll import poll_tenant
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, save_tenant
from tests.sheets_standin import Spreadsheet, StandIn, sheets_standin

SHEET_ID = "1ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210zyxwVUT"
VALUES = [
    ["SKU", "Name", "Cost", "Quantity", "Visible"],
    ["JKT-001", "Denim Jacket", "$89.00", "14", "yes"],
    ["TOP-002", "Flannel Shirt", "$39.50", "5 left", "Y"],
    ["ACC-003", "Silk Scarf", "£29.00", "out of stock", "TRUE"],
    ["", "", "", "", ""],
    ["BAD-004", "Mystery", "TBD", "3", "yes"],
]


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch, emulators: dict[str, str]) -> Iterator[StandIn]:
    with sheets_standin() as server:
        server.spreadsheets[SHEET_ID] = Spreadsheet(title="Catalog", values=[list(r) for r in VALUES])
        monkeypatch.setenv("SHEETS_SERVICE_ACCOUNT_JSON", server.service_account_json())
        monkeypatch.setenv("SHEETS_API_BASE", server.base_url)
        monkeypatch.setenv("DRIVE_API_BASE", server.base_url)
        reset_clients()
        yield server


def test_google_sheet_poll_and_cheap_unchanged_check(tenant_id: str, standin: StandIn) -> None:
    save_tenant(
        TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"gsheets:{SHEET_ID}")
    )
    result = poll_tenant(tenant_id)
    assert (result.rows, result.valid, result.invalid) == (4, 3, 1)
    catalog = {s.id: s.to_dict() for s in tenant_collection(tenant_id, "catalog").stream()}
    assert catalog["ACC-003"]["currency"] == "GBP" and catalog["ACC-003"]["status"] == "out"
    assert catalog["TOP-002"]["status"] == "low"

    calls = len(standin.requests)
    again = poll_tenant(tenant_id)
    assert again.skipped and again.written == 0
    assert standin.requests[calls:] == [("GET", f"/drive/v3/files/{SHEET_ID}")]

    edited = [list(r) for r in VALUES]
    edited[1][2] = "$79.00"
    standin.spreadsheets[SHEET_ID].edit(edited)
    changed = poll_tenant(tenant_id)
    assert changed.changed == 1
    doc = tenant_collection(tenant_id, "catalog").document("JKT-001").get().to_dict()
    assert doc["price_minor"] == 7900


def test_a_failing_api_is_recorded_not_raised(tenant_id: str, standin: StandIn) -> None:
    save_tenant(
        TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source="gsheets:missing-sheet")
    )
    result = poll_tenant(tenant_id)
    assert result.error and "404" in result.error
    state = next(tenant_collection(tenant_id, "sheet_state").stream()).to_dict()
    assert state["last_error_kind"] == "permanent" and state["consecutive_failures"] == 1


def test_an_outage_is_recorded_and_cleared_by_the_next_good_check(tenant_id: str, standin: StandIn) -> None:
    from shared.sheets.gsheets_client import BoundedBackOffHTTPClient

    save_tenant(
        TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"gsheets:{SHEET_ID}")
    )
    poll_tenant(tenant_id)
    state_ref = next(tenant_collection(tenant_id, "sheet_state").stream()).reference
    good_poll_at = state_ref.get().to_dict()["last_poll_at"]

    standin.retry_after = "0"  # honoured by the back-off: keeps the test fast
    standin.fail_next = [503] * BoundedBackOffHTTPClient.max_attempts  # Drive down for a whole poll
    failed = poll_tenant(tenant_id)
    assert failed.error and "503" in failed.error
    state = state_ref.get().to_dict()
    assert state["last_error_kind"] == "transient" and state["last_poll_at"] == good_poll_at
    assert state["last_attempt_at"] > good_poll_at

    recovered = poll_tenant(tenant_id)  # sheet unchanged: no read, one bookkeeping write
    assert recovered.skipped and recovered.written == 1
    state = state_ref.get().to_dict()
    assert state["last_error"] is None and state["consecutive_failures"] == 0
    assert state["last_poll_at"] > good_poll_at
