"""The local file source: XLSX cells as a person sees them, CSV dialects, versions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from shared.errors import PermanentError
from shared.sheets.file_source import FileSource


def test_xlsx_numbers_dates_and_flags_read_as_people_see_them(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Stock"
    sheet.append(["Inventory as of today"])
    sheet.append(["SKU", "Name", "Price", "Qty", "Active", "Restock date"])
    sheet.append(["A-1", "Café Mug", 12.5, 14.0, True, datetime(2026, 12, 1)])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["A-2", "Tote", 1299, None, False, None])
    path = tmp_path / "shop.xlsx"
    book.save(path)
    table = FileSource(str(path), worksheet="Stock").read()
    assert table.header_row == 2
    assert table.rows == [
        (3, ["A-1", "Café Mug", "12.5", "14", "TRUE", "2026-12-01"]),
        (5, ["A-2", "Tote", "1299", "", "FALSE", ""]),
    ]
    with pytest.raises(PermanentError, match="worksheet 'Nope'"):
        FileSource(str(path), worksheet="Nope").read()


def test_semicolon_csv_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("\ufeffSKU;Name;Preis (EUR);Stock\nB-1;Schal;12,50;3\n", encoding="utf-8")
    table = FileSource(str(path)).read()
    assert table.headers == ["SKU", "Name", "Preis (EUR)", "Stock"]
    assert table.rows == [(2, ["B-1", "Schal", "12,50", "3"])]


def test_version_changes_with_the_file_and_a_missing_file_is_permanent(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("SKU,Name,Price\nA,B,1\n")
    source = FileSource(str(path))
    first = source.version()
    path.write_text("SKU,Name,Price\nA,B,2.00\n")
    assert source.version().version != first.version
    path.unlink()
    with pytest.raises(PermanentError, match="not found"):
        source.version()


def test_excel_csv_export_and_a_corrupt_workbook(tmp_path: Path) -> None:
    legacy = tmp_path / "export.csv"
    legacy.write_bytes("SKU,Name,Price\nA,Crème brûlée set,€12\n".encode("cp1252"))
    assert FileSource(str(legacy)).read().rows == [(2, ["A", "Crème brûlée set", "€12"])]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(PermanentError, match="cannot open"):
        FileSource(str(broken)).read()
