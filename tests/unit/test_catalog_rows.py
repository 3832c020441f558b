"""Row validation: every bad row is kept out with a reason; the rest land."""

from __future__ import annotations

from datetime import date

from shared.catalog.columns import map_headers
from shared.catalog.diff import diff_rows
from shared.catalog.rows import Context, interpret_row
from shared.sheets.sources import table_from_rows

HEADERS = ["SKU", "Name", "Category", "Price", "Stock", "Active", "Type", "Slots"]
CTX = Context(currency="USD", low_stock_threshold=5, today=date(2026, 11, 25))  # a Wednesday


def interpret(cells: list[str], row: int = 2):
    return interpret_row(cells, map_headers(HEADERS), row_number=row, content_hash="h", ctx=CTX)


def test_a_good_row_is_typed() -> None:
    out = interpret(["JKT-001", "  Denim   Jacket ", "Jackets", "$89.00", "14", "yes", "", ""])
    assert out.issues == []
    assert out.row is not None
    fields = {"sku", "name", "price_minor", "currency", "stock", "status", "active"}
    assert out.row.model_dump(include=fields) == {
        "sku": "JKT-001", "name": "Denim Jacket", "price_minor": 8900, "currency": "USD", "stock": 14,
        "status": "in_stock", "active": True,
    }  # fmt: skip


def test_status_thresholds() -> None:
    statuses = [
        interpret(["S", "N", "", "1", stock, "", "", ""]).row.status
        for stock in ["6", "5", "0", "", "in stock"]
    ]
    assert statuses == ["in_stock", "low", "out", "unknown", "in_stock"]
    assert interpret(["S", "N", "", "1", "50", "no", "", ""]).row.status == "out"


def test_missing_name_unusable_price_and_negative_stock_each_give_an_issue() -> None:
    out = interpret(["X-1", "", "", "call us", "-2", "", "", ""], row=7)
    assert out.row is None
    assert {(i.row, i.column, i.value, i.problem) for i in out.issues} == {
        (7, "name", "", "name is missing"),
        (7, "price", "call us", "not a price: no amount in it"),
        (7, "stock", "-2", "stock is negative"),
    }
    assert {i.issue_id for i in out.issues} == {"r7-name", "r7-price", "r7-stock"}


def test_unicode_names_and_sku_from_name() -> None:
    out = interpret(["", "Café Crème Tote", "", "€12", "3", "", "", ""])
    assert out.row is not None and out.row.name == "Café Crème Tote"
    assert out.row.sku == "cafe-creme-tote"
    assert out.row.currency == "EUR"


def test_sku_with_slash_is_refused() -> None:
    out = interpret(["A/B", "Thing", "", "1", "1", "", "", ""])
    assert out.row is None and out.issues[0].column == "sku"


def test_service_slots_roll_forward_from_weekdays() -> None:
    out = interpret(
        [
            "SRV-1",
            "Styling",
            "",
            "$60",
            "",
            "",
            "Service",
            "Sat 10:00 1/2; Wed 09:30 2/2; 2026-12-01 14:00; 2026-11-20 9:00",
        ]
    )
    assert out.row is not None and out.row.kind == "service" and out.row.status == "in_stock"
    assert [(s.date, s.start, s.capacity, s.booked, s.free) for s in out.slots] == [
        ("2026-11-25", "09:30", 2, 2, 0),
        ("2026-11-28", "10:00", 2, 1, 1),
        ("2026-12-01", "14:00", 1, 0, 1),
    ]  # the slot of 20 November is past: left out
    full = interpret(["SRV-1", "Styling", "", "$60", "", "", "Service", "Sat 10:00 2/2"])
    assert full.row is not None and full.row.status == "out"
    bad = interpret(["SRV-1", "Styling", "", "$60", "", "", "Service", "someday 3/2"])
    assert bad.row is None and bad.issues[0].column == "slots"


def test_blank_rows_are_ignored_and_the_header_is_found() -> None:
    table = table_from_rows(
        [["My shop"], HEADERS, ["A", "Alpha", "", "1", "1"], ["", " ", ""], [], ["B", "Beta", "", "2", "2"]]
    )
    assert table.header_row == 2
    assert [n for n, _ in table.rows] == [3, 6]


def test_duplicate_skus_first_wins_and_one_bad_row_never_stops_the_rest() -> None:
    rows = [
        (2, ["A", "Alpha", "", "1", "1"]),
        (3, ["B", "Beta", "", "nope", "1"]),
        (4, ["A", "Alpha again", "", "2", "2"]),
        (5, ["C", "Gamma", "", "3", "3"]),
    ]
    result = diff_rows(rows, map_headers(HEADERS), {}, CTX)
    assert [(i.row.sku, i.row.name) for i in result.to_write if i.row] == [("A", "Alpha"), ("C", "Gamma")]
    assert (result.valid, result.invalid) == (2, 2)
    assert {(i.row, i.column, i.problem) for i in result.issues_to_write} == {
        (3, "price", "not a price: no amount in it"),
        (4, "sku", "duplicate SKU (row 2 wins)"),
    }
