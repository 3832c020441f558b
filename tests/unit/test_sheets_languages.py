"""Sheets as shops in each language write them (tests/data/sheets/languages/), read from CSV and
XLSX files the way the poller reads them: header row, cells, locale, slots and the Info tab."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from shared.catalog.columns import map_headers
from shared.catalog.diff import diff_rows
from shared.catalog.info import read_info
from shared.sheets.file_source import FileSource
from shared.sheets.locale_guess import guess_locale
from shared.sheets.poll import reading_context
from shared.tenants import TenantConfig

SHEETS = Path(__file__).resolve().parents[1] / "data" / "sheets" / "languages"
# Thursday 3 December 2026, 14:00 in São Paulo.
NOW = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)


def _tenant(source: Path, *, currency: str, locale: str, timezone: str = "UTC") -> TenantConfig:
    return TenantConfig(
        tenant_id="t",
        phone_number_id="pn",
        source=f"file:{source}",
        currency=currency,
        locale=locale,
        timezone=timezone,
    )


def _read(config: TenantConfig) -> tuple[dict[str, Any], dict[tuple[int, str], str], Any]:
    """(catalog rows by SKU, issues by (row, column), the table) of one read of the sheet."""
    table = FileSource(config.source_location).read()
    header = map_headers(table.headers)
    ctx = reading_context(config, header, NOW, "epoch-1")
    diff = diff_rows(table.rows, header, {}, ctx)
    rows = {i.row.sku: i for i in diff.to_write if i.row is not None}
    issues = {(i.row, i.column): i.problem for i in diff.issues_to_write}
    return rows, issues, table


def _summary(rows: dict[str, Any]) -> dict[str, tuple[int, str, int | None, str, bool]]:
    return {
        sku: (i.row.price_minor, i.row.currency, i.row.stock, i.row.status, i.row.active)
        for sku, i in rows.items()
    }


def test_brazilian_salon_csv_with_services_slots_and_info() -> None:
    config = _tenant(SHEETS / "salao_pt.csv", currency="BRL", locale="pt-BR", timezone="America/Sao_Paulo")
    rows, issues, table = _read(config)
    assert _summary(rows) == {
        "CORTE": (8000, "BRL", None, "in_stock", True),
        "ESC-01": (125000, "BRL", None, "in_stock", True),
        "SH-01": (3990, "BRL", 5, "low", True),
        "CO-01": (4250, "BRL", 0, "out", False),
        "MAS-1": (5500, "BRL", 1000, "in_stock", True),
    }
    assert rows["CORTE"].row.kind == "service" and rows["SH-01"].row.kind == "product"
    # "Sáb" is the coming Saturday, "segunda-feira" the coming Monday; 14h30 is full.
    assert [(s.date, s.start, s.free) for s in rows["CORTE"].slots] == [
        ("2026-12-05", "10:00", 3),
        ("2026-12-05", "14:30", 0),
    ]
    assert [(s.date, s.start) for s in rows["ESC-01"].slots] == [("2026-12-07", "09:00")]
    assert issues == {(7, "price"): "not a price: separators in the wrong places"}
    info = {e.topic_id: (e.topic, e.answer, e.kind) for e in read_info(table.info)}
    assert info == {
        "horario-de-funcionamento": (
            "Horário de funcionamento",
            "Seg a sex, 9h às 18h; sáb 9h às 14h",
            "hours",
        ),
        "endereco": ("Endereço", "Rua das Flores, 120 - Centro", "address"),
        "formas-de-pagamento": ("Formas de pagamento", "Pix, cartão e dinheiro", "payment"),
        "entrega": ("Entrega", "Frete grátis acima de R$ 200", "delivery"),
    }


def test_a_tenant_left_at_en_us_reads_a_portuguese_sheet_as_a_brazilian_would() -> None:
    config = _tenant(SHEETS / "salao_pt.csv", currency="BRL", locale="en-US")
    rows, _, _ = _read(config)
    assert rows["MAS-1"].row.stock == 1000  # not refused as "1.000 could be 1"
    assert rows["SH-01"].row.price_minor == 3990


def test_mexican_bakery_csv() -> None:
    rows, issues, table = _read(_tenant(SHEETS / "panaderia_es.csv", currency="MXN", locale="es-MX"))
    assert _summary(rows) == {
        "PAN-01": (1250, "MXN", 8, "in_stock", True),
        "PAN-02": (300, "MXN", 0, "out", True),
        "PAS-01": (125000, "MXN", 2, "low", True),
        "PAS-02": (38000, "MXN", None, "out", False),
    }
    assert issues == {(6, "price"): "not a price: no amount in it"}
    assert table.info is None


def test_french_shop_csv_refuses_half_a_belt() -> None:
    rows, issues, _ = _read(_tenant(SHEETS / "boutique_fr.csv", currency="EUR", locale="fr-FR"))
    assert _summary(rows) == {
        "TSH-1": (1990, "EUR", 12, "in_stock", True),
        "JEA-1": (5900, "EUR", 0, "out", True),
        "SAC-1": (129900, "EUR", 2, "out", False),
    }
    assert issues == {(5, "stock"): "stock is not a whole number"}


def test_indonesian_warung_csv() -> None:
    rows, issues, _ = _read(_tenant(SHEETS / "warung_id.csv", currency="IDR", locale="id-ID"))
    assert _summary(rows) == {
        "KP-01": (1800000, "IDR", 0, "out", True),
        "KP-02": (800000, "IDR", 3, "low", True),
        "RT-01": (2500000, "IDR", 20, "out", False),
        "NG-01": (125000000, "IDR", 10, "in_stock", True),
    }
    assert issues == {}


@pytest.mark.parametrize(
    ("sheet", "expected", "bad"),
    [
        (
            "dukaan_hi.csv",
            {
                "SAR-01": (149900, "INR", 5, "low", True),
                "KUR-01": (123456700, "INR", 0, "out", True),
                "DUP-01": (45000, "INR", 12, "out", False),
            },
            {(5, "price"): "not a price: no amount in it"},
        ),
        (
            "dukaan_hinglish.csv",
            {"SAR-01": (149900, "INR", 4, "low", True), "KUR-01": (89900, "INR", 0, "out", False)},
            {},
        ),
    ],
)
def test_indian_shop_in_devanagari_and_hinglish(
    sheet: str, expected: dict[str, Any], bad: dict[tuple[int, str], str]
) -> None:
    rows, issues, _ = _read(_tenant(SHEETS / sheet, currency="INR", locale="hi-IN"))
    assert _summary(rows) == expected
    assert issues == bad


def test_xlsx_workbook_with_a_catalog_and_an_info_worksheet(tmp_path: Path) -> None:
    """Spreadsheet cells hold numbers, not text: 39.9 is R$ 39,90 and 1000 a thousand."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Produtos"
    sheet.append(["Código", "Nome do produto", "Preço (R$)", "Qtd.", "Ativo"])
    sheet.append(["SH-01", "Shampoo", 39.9, 1000, "sim"])
    sheet.append(["CO-01", "Condicionador", 42.5, "esgotado", "não"])
    info = book.create_sheet("Informações")
    info.append(["Assunto", "Resposta"])
    info.append(["Trocas e devoluções", "Até 7 dias com a nota"])
    path = tmp_path / "loja.xlsx"
    book.save(path)
    rows, issues, table = _read(_tenant(path, currency="USD", locale="pt-BR"))
    assert _summary(rows) == {
        "SH-01": (3990, "BRL", 1000, "in_stock", True),
        "CO-01": (4250, "BRL", 0, "out", False),
    }
    assert issues == {}
    assert [(e.topic_id, e.kind) for e in read_info(table.info)] == [("trocas-e-devolucoes", "returns")]


def test_an_unknown_header_names_the_closest_known_one() -> None:
    header = map_headers(["Produto", "Precco", "Estoque"])
    assert header.missing == ["price"]
    assert header.described_unknown() == ["Precco (did you mean Preço?)"]
    assert header.language == "pt"


@pytest.mark.parametrize(
    ("sheet", "locale", "currency"),
    [
        ("salao_pt.csv", "pt-BR", "BRL"),
        ("panaderia_es.csv", "es-MX", "MXN"),  # "$" in a Spanish sheet is the peso
        ("boutique_fr.csv", "fr-FR", "EUR"),
        ("warung_id.csv", "id-ID", "IDR"),
        ("dukaan_hi.csv", "hi-IN", "INR"),
        ("dukaan_hinglish.csv", "hi-IN", "INR"),
    ],
)
def test_the_locale_and_currency_are_guessed_from_the_sheet(sheet: str, locale: str, currency: str) -> None:
    table = FileSource(str(SHEETS / sheet)).read()
    assert guess_locale(table) == (locale, currency)
    assert guess_locale(table, currency="USD")[1] == "USD"  # a given currency wins
