"""Every Sheets and Drive call the real gspread client makes spends from the budget, and Google's
429 with Retry-After pauses the budget: tested against the local stand-in of the APIs."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shared.clients import reset_clients
from shared.errors import TransientError
from shared.quota.budget import budget
from shared.sheets.gsheets_client import build_client
from shared.sheets.gsheets_source import GoogleSheetSource
from tests.sheets_standin import Spreadsheet, StandIn, sheets_standin

SHEET = "1QuotaSheetQuotaSheetQuotaSheetQuotaSheet01"
VALUES = [["SKU", "Name", "Price"], ["A-1", "Apron", "$5.00"]]


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    with sheets_standin() as server:
        server.spreadsheets[SHEET] = Spreadsheet(title="Catalog", values=[list(r) for r in VALUES])
        monkeypatch.setenv("SHEETS_SERVICE_ACCOUNT_JSON", server.service_account_json())
        monkeypatch.setenv("SHEETS_API_BASE", server.base_url)
        monkeypatch.setenv("DRIVE_API_BASE", server.base_url)
        monkeypatch.setenv("QUOTA_BACKEND", "process")
        reset_clients()
        yield server


def test_each_api_call_spends_one_token_of_its_api(standin: StandIn) -> None:
    source = GoogleSheetSource(SHEET, client=build_client())
    source.version()
    source.read()
    assert budget().granted["drive"] >= 1 and budget().granted["sheets"] >= 2
    assert standin.api_calls("/drive/v3/files/") == 1 and standin.api_calls("/v4/spreadsheets/") == 2


def test_no_call_is_made_once_the_budget_is_spent(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTA_SHEETS_PER_MINUTE", "2")  # one token now, the next in ~60 s
    monkeypatch.setenv("QUOTA_MAX_WAIT_S", "0")
    reset_clients()
    with pytest.raises(TransientError, match="sheets budget exhausted"):
        GoogleSheetSource(SHEET, client=build_client()).read()
    assert standin.api_calls("/v4/spreadsheets/") == 1, "the second call was never sent"


def test_a_429_with_retry_after_pauses_the_whole_budget(standin: StandIn) -> None:
    source = GoogleSheetSource(SHEET, client=build_client(base_delay_s=0.01))
    standin.fail_next, standin.retry_after = [429], "2"
    started = time.monotonic()
    assert source.version().version == "1"
    # The retry waited for the budget's pause, not only the client's own back-off.
    assert time.monotonic() - started >= 1.8
    other = GoogleSheetSource(SHEET, client=build_client())
    started = time.monotonic()
    other.version()  # after the pause: no wait
    assert time.monotonic() - started < 1.0
