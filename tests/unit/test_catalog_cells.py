"""Interpretation of the cells real shops type: prices, stock, flags, dates, headers."""

from __future__ import annotations

from datetime import date

import pytest

from shared.catalog.cells import CellError, parse_date, parse_flag, parse_price, parse_stock
from shared.catalog.columns import map_headers, normalise_header
from shared.money import Money


@pytest.mark.parametrize(
    ("cell", "default", "expected"),
    [
        ("$19.99", "USD", Money(1999, "USD")),
        ("$1,299.00", "USD", Money(129900, "USD")),
        ("1.299,00 €", "USD", Money(129900, "EUR")),
        ("1 299,00", "EUR", Money(129900, "EUR")),
        ("1\u00a0299,00", "EUR", Money(129900, "EUR")),
        ("Rs. 450", "USD", Money(45000, "INR")),
        ("Rs 450", "PKR", Money(45000, "PKR")),
        ("¥1200", "USD", Money(1200, "JPY")),
        ("¥1,200", "USD", Money(1200, "JPY")),
        ("£7.99", "USD", Money(799, "GBP")),
        ("USD 30", "EUR", Money(3000, "USD")),
        ("30 USD", "EUR", Money(3000, "USD")),
        ("free", "USD", Money(0, "USD")),
        ("FREE", "GBP", Money(0, "GBP")),
        ("12,50", "EUR", Money(1250, "EUR")),
        ("1,299", "USD", Money(129900, "USD")),
        ("  $45 ", "USD", Money(4500, "USD")),
        ("$45", "CAD", Money(4500, "CAD")),
        ("0.500 KWD", "USD", Money(500, "KWD")),
        ("1200", "JPY", Money(1200, "JPY")),
    ],
)
def test_price_forms(cell: str, default: str, expected: Money) -> None:
    assert parse_price(cell, header_currency=None, default_currency=default) == expected


def test_price_currency_from_header_then_default() -> None:
    assert parse_price("12.50", header_currency="EUR", default_currency="USD") == Money(1250, "EUR")
    assert parse_price("12.50", header_currency=None, default_currency="GBP") == Money(1250, "GBP")
    # The cell wins over the header.
    assert parse_price("$5", header_currency="EUR", default_currency="EUR") == Money(500, "USD")


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("", "missing"),
        ("call us", "not a price"),
        ("-5", "negative"),
        ("$1.2345", "more decimals"),
        ("¥12.5", "more decimals"),
        ("10 or 12", "not a price"),
    ],
)
def test_unusable_prices_say_why(cell: str, problem: str) -> None:
    with pytest.raises(CellError, match=problem):
        parse_price(cell, header_currency=None, default_currency="USD")


@pytest.mark.parametrize(
    ("cell", "count", "hint"),
    [
        ("25", 25, None),
        ("12.0", 12, None),
        ("5 left", 5, None),
        ("10+", 10, None),
        ("1,200", 1200, None),
        (" 48 ", 48, None),
        ("out of stock", 0, "out"),
        ("Sold out", 0, "out"),
        ("in stock", None, "in_stock"),
        ("", None, None),
    ],
)
def test_stock_forms(cell: str, count: int | None, hint: str | None) -> None:
    stock = parse_stock(cell)
    assert (stock.count, stock.hint) == (count, hint)


@pytest.mark.parametrize(
    ("cell", "problem"), [("-3", "negative"), ("2.5", "whole"), ("lots maybe", "not a stock")]
)
def test_bad_stock(cell: str, problem: str) -> None:
    with pytest.raises(CellError, match=problem):
        parse_stock(cell)


@pytest.mark.parametrize(
    ("cell", "value"), [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("✓", True), ("no", False),
                        ("N", False), ("false", False), ("0", False), ("off", False), ("", True)],
)  # fmt: skip
def test_flags(cell: str, value: bool) -> None:
    assert parse_flag(cell) is value


def test_bad_flag() -> None:
    with pytest.raises(CellError):
        parse_flag("perhaps")


@pytest.mark.parametrize(
    "cell",
    [
        "2026-06-01",
        "2026/06/01",
        "01.06.2026",
        "1 Jun 2026",
        "Jun 1, 2026",
        "June 1, 2026",
        "06/01/2026",
        "46174",
    ],
)
def test_date_forms(cell: str) -> None:
    assert parse_date(cell) == date(2026, 6, 1)


def test_day_first_when_unambiguous() -> None:
    assert parse_date("25/12/2026") == date(2026, 12, 25)
    assert parse_date("") is None
    with pytest.raises(CellError):
        parse_date("next week-ish")


@pytest.mark.parametrize(
    ("header", "name", "currency"),
    [
        (" Price (USD) ", "price", "USD"),
        ("price [eur]", "price", "EUR"),
        ("Unit  Price €", "unit price", "EUR"),
        ("Price in GBP", "price", "GBP"),
        ("Product_Name", "product name", None),
        ("Qty.", "qty", None),
    ],
)
def test_header_normalisation(header: str, name: str, currency: str | None) -> None:
    assert normalise_header(header) == (name, currency)


def test_varying_header_names_map_to_columns() -> None:
    header = map_headers(["Item Code", "Title", "Cost", "Quantity", "Notes", "Visible", "Colour"])
    assert header.positions == {"sku": 0, "name": 1, "price": 2, "stock": 3, "description": 4, "active": 5}
    assert header.unknown == ["Colour"]
    assert map_headers(["Name", "Stock"]).missing == ["price"]
