"""Interpretation of real-world sheet cells: prices, stock, yes/no flags and dates.

Each parser takes the cell as the sheet shows it (a string) and returns a typed value, or raises
`CellError` with a short reason that ends up in a `validation_issues` document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from shared.money import AmountError, Money, parse_money


class CellError(ValueError):
    """A cell that cannot be interpreted; the message says why, for a person."""


def parse_price(
    cell: str, *, header_currency: str | None, default_currency: str, locale: str | None = None
) -> Money:
    """A price cell as integer minor units plus its currency (read by shared.money).

    The currency comes from the cell (`$`, `€`, `R$`, `Rs.`, `USD 30`, `30 USD`), else the header
    (`Price (EUR)`), else the tenant default; `free` is 0. Raises CellError with the reason.
    """
    try:
        money = parse_money(cell, locale=locale, default_currency=(header_currency or default_currency))
    except AmountError as exc:
        raise CellError(str(exc)) from None
    if money is None:
        raise CellError("price is missing")
    return money


_OUT = {"out of stock", "sold out", "none", "no", "out", "unavailable", "n/a", "na", "0", "nil"}
_IN = {"in stock", "yes", "available", "plenty", "many", "lots", "y"}
_STOCK_RE = re.compile(
    r"^(?:approx\.?|about|~|ca\.?)?\s*(-?[0-9][0-9,.\s]*)\s*(\+|left|in stock|units?|pcs|pieces|items?)?$"
)


@dataclass(frozen=True)
class Stock:
    """A stock cell: a count (None = unknown) and, for words such as "in stock", a status hint."""

    count: int | None
    hint: str | None = None


def parse_stock(cell: str) -> Stock:
    """`25`, `12.0`, `5 left`, `10+`, `out of stock`, `in stock`, blank (unknown)."""
    text = " ".join(cell.strip().lower().split())
    if not text:
        return Stock(None)
    if text in _OUT:
        return Stock(0, "out")
    if text in _IN:
        return Stock(None, "in_stock")
    match = _STOCK_RE.match(text)
    if not match:
        raise CellError("not a stock count")
    raw = match.group(1).replace(" ", "").replace(",", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CellError("not a stock count") from None
    if value < 0:
        raise CellError("stock is negative")
    if value != value.to_integral_value():
        raise CellError("stock is not a whole number")
    return Stock(int(value))


_TRUE = {"yes", "y", "true", "1", "x", "✓", "✔", "active", "on", "si", "sí", "enabled", "show"}
_FALSE = {"no", "n", "false", "0", "inactive", "off", "disabled", "hidden", "hide", "-"}


def parse_flag(cell: str, *, default: bool = True) -> bool:
    """Yes/no cells (`yes`, `Y`, `TRUE`, `1`, `✓`, `no`, `off` ...); blank is `default`."""
    text = cell.strip().lower()
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("not a yes/no value")


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d-%b-%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(cell: str) -> date | None:
    """Dates as people type them: ISO, `2025/06/01`, `01.06.2025`, `1 Jun 2025`, `Jun 1, 2025`,
    `06/01/2025` (month first unless the first number is above 12), Excel serial numbers."""
    text = cell.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    slash = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", text)
    if slash:
        first, second, year = (int(g) for g in slash.groups())
        year += 2000 if year < 100 else 0
        month, day = (second, first) if first > 12 else (first, second)
        try:
            return date(year, month, day)
        except ValueError:
            raise CellError("not a valid date") from None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _EXCEL_EPOCH + timedelta(days=int(float(text)))
    try:
        return datetime.fromisoformat(text).astimezone(UTC).date()
    except ValueError:
        raise CellError("not a date") from None
