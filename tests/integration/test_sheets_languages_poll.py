"""Shops in other languages, end to end on the Firestore emulator: `tenant create` guesses the
locale from the sheet, the Info tab lands in `info/`, a Google Sheet with two tabs goes through
real gspread, and weekly slots roll forward on a sheet nobody edits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.cli.__main__ import main as cli
from shared.clients import reset_clients
from shared.sheets.poll import poll_tenant
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, get_tenant, save_tenant
from tests.sheets_standin import Spreadsheet, StandIn, sheets_standin

LANGUAGES = Path(__file__).resolve().parents[1] / "data" / "sheets" / "languages"


def _docs(tenant_id: str, name: str) -> dict[str, dict[str, Any]]:
    return {s.id: s.to_dict() or {} for s in tenant_collection(tenant_id, name).stream()}


def test_tenant_create_guesses_the_locale_and_the_info_tab_is_stored(
    tenant_id: str, emulators: dict[str, str], tmp_path: Path
) -> None:
    sheet = tmp_path / "salao.csv"
    shutil.copy(LANGUAGES / "salao_pt.csv", sheet)
    shutil.copy(LANGUAGES / "salao_pt.info.csv", tmp_path / "salao.info.csv")
    assert (
        cli(
            [
                "tenant",
                "create",
                tenant_id,
                "--phone-number-id",
                f"pn-{tenant_id}",
                "--source",
                f"file:{sheet}",
            ]
        )
        == 0
    )
    config = get_tenant(tenant_id, fresh=True)
    assert (config.locale, config.currency) == ("pt-BR", "BRL")

    result = poll_tenant(tenant_id)
    assert (result.valid, result.invalid) == (5, 1)
    catalog = _docs(tenant_id, "catalog")
    assert (catalog["ESC-01"]["price_minor"], catalog["ESC-01"]["currency"]) == (125000, "BRL")
    assert catalog["MAS-1"]["stock"] == 1000
    info = _docs(tenant_id, "info")
    assert {k: (v["topic"], v["kind"]) for k, v in info.items()} == {
        "horario-de-funcionamento": ("Horário de funcionamento", "hours"),
        "endereco": ("Endereço", "address"),
        "formas-de-pagamento": ("Formas de pagamento", "payment"),
        "entrega": ("Entrega", "delivery"),
    }
    assert info["entrega"]["answer"] == "Frete grátis acima de R$ 200" and info["entrega"]["updated_at"]

    # The owner edits one answer and drops a topic: only those two documents change.
    (tmp_path / "salao.info.csv").write_text(
        "Tópico;Resposta\n"
        'Horário de funcionamento;"Seg a sex, 9h às 18h; sáb 9h às 14h"\n'
        "Formas de pagamento;Pix, cartão e dinheiro\n"
        "Entrega;Frete grátis acima de R$ 150\n",
        encoding="utf-8",
    )
    before = info["formas-de-pagamento"]["updated_at"]
    again = poll_tenant(tenant_id)
    assert again.changed == 0  # the catalog tab did not change
    info = _docs(tenant_id, "info")
    assert set(info) == {"horario-de-funcionamento", "formas-de-pagamento", "entrega"}
    assert info["entrega"]["answer"] == "Frete grátis acima de R$ 150"
    assert info["formas-de-pagamento"]["updated_at"] == before


def test_an_explicit_locale_and_currency_win(tenant_id: str, emulators: dict[str, str]) -> None:
    args = [
        "tenant",
        "create",
        tenant_id,
        "--phone-number-id",
        "pn-x",
        "--source",
        f"file:{LANGUAGES / 'salao_pt.csv'}",
    ]
    assert cli([*args, "--locale", "pt_pt", "--currency", "eur"]) == 0
    config = get_tenant(tenant_id, fresh=True)
    assert (config.locale, config.currency) == ("pt-PT", "EUR")
    assert cli(["tenant", "create", tenant_id, "--locale", "xx-Nowhere"]) != 0


SHEET_ID = "1PtBrSalaoDeBelezaComDuasAbasXyZ0123456789ab"
CATALOG = [
    ["Código", "Serviço", "Preço", "Horários"],
    ["CORTE", "Corte feminino", "R$ 80,00", "Sáb 10h 0/3; Sáb 15h 1/3"],
    ["ESCOVA", "Escova", "R$ 45,00", "Sex 18h 0/1"],
]
INFO = [["Tópico", "Resposta"], ["Endereço", "Rua das Flores, 120"], ["Pagamento", "Pix ou cartão"]]


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch, emulators: dict[str, str]) -> Iterator[StandIn]:
    with sheets_standin() as server:
        server.spreadsheets[SHEET_ID] = Spreadsheet(
            title="Serviços", values=[list(r) for r in CATALOG], tabs={"Informações": [list(r) for r in INFO]}
        )
        monkeypatch.setenv("SHEETS_SERVICE_ACCOUNT_JSON", server.service_account_json())
        monkeypatch.setenv("SHEETS_API_BASE", server.base_url)
        monkeypatch.setenv("DRIVE_API_BASE", server.base_url)
        reset_clients()
        yield server


def test_google_sheet_with_two_tabs_and_slots_that_roll_forward_unedited(
    tenant_id: str, standin: StandIn
) -> None:
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id=f"pn-{tenant_id}",
            source=f"gsheets:{SHEET_ID}",
            currency="BRL",
            locale="pt-BR",
            timezone="America/Sao_Paulo",
        )
    )
    # Saturday 5 December 2026, 09:00 in São Paulo (UTC-3).
    saturday_9am = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    first = poll_tenant(tenant_id, now=saturday_9am)
    assert (first.valid, first.invalid) == (2, 0)
    assert {k: v["answer"] for k, v in _docs(tenant_id, "info").items()} == {
        "endereco": "Rua das Flores, 120",
        "pagamento": "Pix ou cartão",
    }
    assert sorted(_docs(tenant_id, "slots")) == [
        "CORTE__2026-12-05T1000",
        "CORTE__2026-12-05T1500",
        "ESCOVA__2026-12-11T1800",
    ]

    # Nobody edits the sheet. Before 10:00 nothing is read; at 10:01 the 10:00 slot has passed
    # and rolls on to next Saturday, without anyone touching the sheet.
    calls = standin.api_calls("/v4/")
    quiet = poll_tenant(tenant_id, now=datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    assert quiet.skipped and standin.api_calls("/v4/") == calls
    rolled = poll_tenant(tenant_id, now=datetime(2026, 12, 5, 13, 1, tzinfo=UTC))
    assert not rolled.skipped
    slots = _docs(tenant_id, "slots")
    assert sorted(slots) == ["CORTE__2026-12-05T1500", "CORTE__2026-12-12T1000", "ESCOVA__2026-12-11T1800"]
    availability = _docs(tenant_id, "availability")["CORTE"]
    assert availability["next_free_slot"] == "2026-12-05 15:00"

    # The owner edits only the Info tab: the catalog is untouched, the answer changes.
    standin.spreadsheets[SHEET_ID].edit_tab(
        "Informações", [*INFO[:2], ["Pagamento", "Pix, cartão ou dinheiro"]]
    )
    edited = poll_tenant(tenant_id, now=datetime(2026, 12, 5, 13, 5, tzinfo=UTC))
    assert edited.changed == 0
    assert _docs(tenant_id, "info")["pagamento"]["answer"] == "Pix, cartão ou dinheiro"
