"""The Google Sheets source through the real gspread + google-auth clients, against a local
stand-in speaking the OAuth token, Drive v3 and Sheets v4 wire format."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shared.clients import reset_clients
from shared.errors import PermanentError, TransientError
from shared.sheets.gsheets_client import build_client
from shared.sheets.gsheets_source import GoogleSheetSource
from tests.sheets_standin import Spreadsheet, StandIn, sheets_standin

SHEET = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG"
VALUES = [
    ["Demo Outfitters price list", "", ""],
    ["SKU", "Product", "Price (USD)", "Stock"],
    ["JKT-001", "Denim Jacket", "$89.00", "14"],
    ["", "", "", ""],
    ["TOP-002", "Flannel Shirt", "39.50", "5 left"],
    ["", "", "", ""],
]


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    with sheets_standin() as server:
        server.spreadsheets[SHEET] = Spreadsheet(title="Catalog", values=[list(r) for r in VALUES])
        monkeypatch.setenv("SHEETS_SERVICE_ACCOUNT_JSON", server.service_account_json())
        monkeypatch.setenv("SHEETS_API_BASE", server.base_url)
        monkeypatch.setenv("DRIVE_API_BASE", server.base_url)
        reset_clients()
        yield server


def test_version_is_one_drive_call_with_a_service_account_token(standin: StandIn) -> None:
    source = GoogleSheetSource(SHEET, client=build_client())
    version = source.version()
    assert version.version == "1"
    assert version.modified_time is not None and version.modified_time.tzinfo is not None
    assert standin.tokens_issued == 1
    assert standin.api_calls("/drive/v3/files/") == 1
    assert standin.api_calls("/v4/") == 0
    standin.spreadsheets[SHEET].edit(VALUES[:3])
    assert source.version().version == "2"


def test_read_finds_the_header_below_a_title_row_and_skips_blank_rows(standin: StandIn) -> None:
    table = GoogleSheetSource(SHEET, client=build_client()).read()
    assert table.header_row == 2
    assert table.headers == ["SKU", "Product", "Price (USD)", "Stock"]
    assert table.rows == [
        (3, ["JKT-001", "Denim Jacket", "$89.00", "14"]),
        (5, ["TOP-002", "Flannel Shirt", "39.50", "5 left"]),
    ]
    # One metadata call and one batched values call.
    assert standin.api_calls("/v4/spreadsheets/") == 2


def test_rate_limit_is_retried_a_bounded_number_of_times(standin: StandIn) -> None:
    source = GoogleSheetSource(SHEET, client=build_client(base_delay_s=0.01))
    standin.fail_next = [429, 503]
    assert source.version().version == "1"  # third try succeeds
    standin.fail_next = [500] * 10
    with pytest.raises(TransientError, match="HTTP 500"):
        source.version()
    assert len(standin.fail_next) == 10 - 4  # four attempts, then it gives up


def test_a_stalled_api_times_out_instead_of_hanging(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHEETS_REQUEST_TIMEOUT_S", "0.3")
    reset_clients()
    source = GoogleSheetSource(SHEET, client=build_client(base_delay_s=0.01, max_attempts=2))
    source.version()  # token fetched
    standin.stall_next = [2.0, 2.0]
    started = time.monotonic()
    with pytest.raises(TransientError, match=r"Timeout"):
        source.version()
    assert time.monotonic() - started < 1.5


def test_unknown_sheet_is_a_permanent_error(standin: StandIn) -> None:
    with pytest.raises(PermanentError, match="HTTP 404"):
        GoogleSheetSource("no-such-sheet", client=build_client()).version()


def test_missing_credentials_fail_fast_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHEETS_SERVICE_ACCOUNT_JSON", raising=False)
    reset_clients()
    with pytest.raises(PermanentError, match="SHEETS_SERVICE_ACCOUNT_JSON"):
        build_client()
