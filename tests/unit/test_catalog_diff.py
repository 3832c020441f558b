"""Diffing by per-row content hash: unchanged rows are neither re-validated nor re-written."""

from __future__ import annotations

from datetime import date

from shared.catalog.columns import map_headers
from shared.catalog.diff import diff_rows
from shared.catalog.rows import Context, interpret_row

HEADER = map_headers(["SKU", "Name", "Price", "Stock"])
CTX = Context(currency="USD", low_stock_threshold=5, today=date(2026, 11, 25))


def sheet(n: int) -> list[tuple[int, list[str]]]:
    return [(i + 2, [f"S{i}", f"Item {i}", f"${i}.50", str(i % 30)]) for i in range(n)]


class CountingInterpreter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return interpret_row(*args, **kwargs)


def test_unchanged_rows_are_not_interpreted_again() -> None:
    first = diff_rows(sheet(200), HEADER, {}, CTX)
    assert len(first.to_write) == 200
    counter = CountingInterpreter()
    again = diff_rows(sheet(200), HEADER, first.state, CTX, interpret=counter)
    assert counter.calls == 0
    assert (again.to_write, again.removed_skus, again.issues_to_write, again.issue_ids_to_delete) == (
        [],
        [],
        [],
        [],
    )
    assert again.unchanged == 200 and again.state == first.state


def test_a_changed_row_is_the_only_one_rewritten() -> None:
    first = diff_rows(sheet(100), HEADER, {}, CTX)
    rows = sheet(100)
    rows[40][1][2] = "$99.00"
    counter = CountingInterpreter()
    result = diff_rows(rows, HEADER, first.state, CTX, interpret=counter)
    assert counter.calls == 1
    assert [(i.row.sku, i.row.price_minor) for i in result.to_write if i.row] == [("S40", 9900)]


def test_deleted_rows_are_removed_and_a_fixed_issue_disappears() -> None:
    rows = sheet(10)
    rows[3][1][2] = "ask"
    first = diff_rows(rows, HEADER, {}, CTX)
    assert [i.issue_id for i in first.issues_to_write] == ["r5-price"]
    fixed = sheet(10)[:8]
    result = diff_rows(fixed, HEADER, first.state, CTX)
    assert result.removed_skus == ["S8", "S9"]
    assert result.issue_ids_to_delete == ["r5-price"]
    assert [i.row.sku for i in result.to_write if i.row] == ["S3"]


def test_removing_the_first_duplicate_promotes_the_second() -> None:
    rows = [(2, ["A", "First", "$1", "1"]), (3, ["A", "Second", "$2", "2"])]
    first = diff_rows(rows, HEADER, {}, CTX)
    assert [i.row.name for i in first.to_write if i.row] == ["First"]
    assert first.state[3].issues == ("r3-sku",)
    result = diff_rows(rows[1:], HEADER, first.state, CTX)
    assert [i.row.name for i in result.to_write if i.row] == ["Second"]
    assert result.removed_skus == []  # A still exists, now from row 3
    assert result.issue_ids_to_delete == ["r3-sku"]


def test_changed_settings_reinterpret_everything() -> None:
    first = diff_rows(sheet(20), HEADER, {}, CTX)
    stricter = Context(currency="USD", low_stock_threshold=10, today=CTX.today)
    result = diff_rows(sheet(20), HEADER, first.state, stricter, full=True)
    assert len(result.to_write) == 20
    assert result.to_write[7].row is not None and result.to_write[7].row.status == "low"


def test_rows_with_slots_are_read_again_on_a_new_day() -> None:
    header = map_headers(["SKU", "Name", "Price", "Stock", "Slots"])
    rows = [(2, ["SRV", "Styling", "$60", "", "Thu 10:00 0/2"]), (3, ["P", "Mug", "$5", "3", ""])]
    first = diff_rows(rows, header, {}, CTX)
    assert first.to_write[0].slots[0].date == "2026-11-26"
    same_day = diff_rows(rows, header, first.state, CTX)
    assert same_day.to_write == []
    next_day = Context(currency="USD", low_stock_threshold=5, today=date(2026, 11, 27))
    later = diff_rows(rows, header, first.state, next_day)
    assert [(i.row.sku, i.slots[0].date) for i in later.to_write if i.row] == [("SRV", "2026-12-03")]
