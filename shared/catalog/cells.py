"""Interpretation of real-world sheet cells: prices, stock, yes/no flags and dates.

Each parser takes the cell as the sheet shows it (a string) and returns a typed value, or raises
`CellError` with a short reason that ends up in a `validation_issues` document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit digits that differ from the usual 2.
_MINOR_DIGITS = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
    "IDR": 2,
    "KWD": 3,
    "BHD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}
# Currency symbols; "$" and "Rs" belong to several currencies, the tenant's default decides.
CURRENCY_SYMBOLS = {
    "r$": "BRL",
    "us$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₦": "NGN",
    "₩": "KRW",
    "₫": "VND",
    "₱": "PHP",
    "₺": "TRY",
    "₪": "ILS",
    "฿": "THB",
    "zł": "PLN",
    "$": "USD",
    "rs.": "INR",
    "rs": "INR",
}
_DOLLARS = {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"}
_RUPEES = {"INR", "PKR", "LKR", "NPR"}
_YEN_YUAN = {"JPY", "CNY"}
_FREE = {"free", "gratis", "complimentary", "no charge", "0"}
_ISO_RE = re.compile(r"(?<![a-z])([a-z]{3})(?![a-z])", re.IGNORECASE)
_NUMBER_RE = re.compile(r"[0-9][0-9.,'\s\u00a0\u202f]*")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


class CellError(ValueError):
    """A cell that cannot be interpreted; the message says why, for a person."""


def minor_digits(currency: str) -> int:
    """Decimal places of the currency's minor unit (JPY 0, USD 2, KWD 3)."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


@dataclass(frozen=True)
class Money:
    minor: int
    currency: str


def _currency_in(text: str, default: str) -> tuple[str | None, str]:
    """The currency named in `text` (symbol or ISO code) and the text without it."""
    lowered = text.lower()
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in lowered:
            if (
                (symbol == "$" and default in _DOLLARS)
                or (symbol.startswith("rs") and default in _RUPEES)
                or (symbol == "¥" and default in _YEN_YUAN)
            ):
                code = default
            wordlike = symbol.isalpha() or symbol.endswith(".")
            if wordlike and not re.search(rf"(?<![a-z]){re.escape(symbol)}(?![a-z])", lowered):
                continue
            index = lowered.index(symbol)
            return code, text[:index] + " " + text[index + len(symbol) :]
    match = _ISO_RE.search(text)
    if match:
        return match.group(1).upper(), text[: match.start()] + " " + text[match.end() :]
    return None, text


def _decimal(number: str, digits: int) -> Decimal:
    """Parse `1,299.00`, `1.299,00`, `1 299,00`, `1,299`, `12,50` into a Decimal."""
    number = _SPACES.sub("", number).strip(".,")
    has_comma, has_dot = "," in number, "." in number
    if has_comma and has_dot:
        decimal_sep = "," if number.rfind(",") > number.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        number = number.replace(thousands, "").replace(decimal_sep, ".")
    elif has_comma or has_dot:
        sep = "," if has_comma else "."
        head, _, tail = number.rpartition(sep)
        # A lone separator followed by exactly three digits is a thousands separator unless the
        # currency really has three decimals (1,299 = 1299; 12,50 = 12.50; 1.299 € = 1299).
        if number.count(sep) > 1 or (len(tail) == 3 and digits < 3):
            number = number.replace(sep, "")
        else:
            number = head.replace(sep, "") + "." + tail
    try:
        return Decimal(number)
    except InvalidOperation:
        raise CellError("not a number") from None


def parse_price(cell: str, *, header_currency: str | None, default_currency: str) -> Money:
    """A price cell as integer minor units plus its currency.

    The currency comes from the cell (`$`, `€`, `Rs.`, `USD 30`, `30 USD`), else the header
    (`Price (EUR)`), else the tenant default. `free` is 0. Raises CellError otherwise.
    """
    text = cell.strip()
    fallback = (header_currency or default_currency).upper()
    if not text:
        raise CellError("price is missing")
    if text.lower() in _FREE:
        return Money(0, fallback)
    if text.lstrip().startswith("-") or (text.startswith("(") and text.endswith(")")):
        raise CellError("price is negative")
    currency, rest = _currency_in(text, fallback)
    currency = currency or fallback
    numbers = _NUMBER_RE.findall(rest)
    leftover = _NUMBER_RE.sub("", rest).strip(" .:-/")
    if len(numbers) != 1 or leftover:
        raise CellError("not a price")
    digits = minor_digits(currency)
    amount = _decimal(numbers[0].strip(), digits)
    minor = amount * (Decimal(10) ** digits)
    if minor != minor.to_integral_value():
        raise CellError(f"more decimals than {currency} allows")
    return Money(int(minor), currency)


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
