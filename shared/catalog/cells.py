"""Interpretation of real-world sheet cells: prices, stock, yes/no flags, kinds and dates, in the
six languages of shared/i18n/sheet_words and the number habits of the tenant's locale.

Each parser takes the cell as the sheet shows it (a string) and returns a typed value, or raises
`CellError` with a short reason that ends up in a `validation_issues` document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from shared.catalog.words import LANGUAGES, lexicon, locale_for, normalise
from shared.money import AmountError, Money, babel_locale, parse_money, parse_number


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


@dataclass(frozen=True)
class Stock:
    """A stock cell: a count (None = unknown) and, for words such as "in stock", a status hint."""

    count: int | None
    hint: str | None = None


def parse_stock(cell: str, *, locale: str | None = None) -> Stock:
    """`25`, `12.0`, `5 left`, `restam 5`, `quedan 5`, `10+`, `esgotado`, `habis`, `in stock`,
    blank (unknown). `1.000` is a thousand where the locale groups with `.` and refused where it
    is the decimal mark; `1,5` is refused (not a whole number)."""
    text = " ".join(cell.split())
    if not text:
        return Stock(None)
    words = lexicon()
    if words.has("out_of_stock", text):
        return Stock(0, "out")
    if words.has("in_stock", text):
        return Stock(None, "in_stock")
    number = words.count(text)
    if number is None:
        if re.match(r"^\s*[-−]\s*\d", text):
            raise CellError("stock is negative")
        raise CellError("not a stock count")
    try:
        value = parse_number(number, locale=locale)
    except AmountError as exc:
        raise CellError(f"not a stock count: {exc}") from None
    if value != value.to_integral_value():
        raise CellError("stock is not a whole number")
    return Stock(int(value))


def parse_flag(cell: str, *, default: bool = True) -> bool:
    """Yes/no cells in any of the languages (`yes`, `sim`, `sí`, `oui`, `ya`, `haan`, `✓`, `no`,
    `não`, `non`, `tidak`, `nahi` ...); blank is `default`."""
    if not cell.strip():
        return default
    words = lexicon()
    if words.has("yes", cell):
        return True
    if words.has("no", cell):
        return False
    raise CellError("not a yes/no value")


def parse_kind(cell: str) -> str | None:
    """`service` for the word for a service in any language (`serviço`, `jasa`, `prestation`),
    `product` for a product word or blank, None for anything else (a category, say)."""
    if not cell.strip():
        return "product"
    words = lexicon()
    if words.has("service", cell):
        return "service"
    if words.has("product", cell):
        return "product"
    return None


_ISO_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_EXCEL_EPOCH = date(1899, 12, 30)
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?")
_NAMED = re.compile(r"(\d{1,2})(?:er)?\s+(?:de\s+)?([^\W\d_]+)(?:\s+(?:de\s+)?(\d{4}))?")
_NAMED_US = re.compile(r"([^\W\d_]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?")


def day_first(locale: str | None) -> bool:
    """Whether the locale writes `dd/mm` (pt-BR, es-MX, fr-FR, id-ID, en-IN) or `mm/dd` (en-US)."""
    pattern = babel_locale(locale).date_formats["short"].pattern.lower()
    return pattern.find("d") < pattern.find("m")


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    """Month names and abbreviations of the six languages (from CLDR), normalised."""
    names: dict[str, int] = {}
    for language in LANGUAGES:
        months = babel_locale(locale_for(language)).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    names.setdefault(normalise(name), number)
    return names


def _year_for(month: int, day: int, today: date | None) -> int:
    """A date written without its year: the next one from about a month ago."""
    if today is None:
        return datetime.now(UTC).year
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        return today.year
    return today.year + 1 if candidate < today - timedelta(days=31) else today.year


def parse_date(cell: str, *, locale: str | None = None, today: date | None = None) -> date | None:
    """Dates as people type them: ISO, `01/06/2026` (day first where the locale says so, or when
    the first number is above 12), `01.06.2026`, `15/12` (the next 15 Dec), `1 Jun 2026`,
    `15 de dezembro`, `Jun 1, 2026`, Excel serial numbers."""
    text = " ".join(cell.split())
    if not text:
        return None
    for fmt in _ISO_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return _parse_written_date(text, locale=locale, today=today)
    except ValueError:
        raise CellError("not a valid date") from None


def _parse_written_date(text: str, *, locale: str | None, today: date | None) -> date:
    numeric = _NUMERIC.fullmatch(text)
    if numeric and len(numeric.group(1)) <= 2:
        first, second = int(numeric.group(1)), int(numeric.group(2))
        dot = "." in text  # 01.06.2026 is day first everywhere
        if first > 12 or (second <= 12 and (dot or day_first(locale))):
            day, month = first, second
        else:
            month, day = first, second
        year_text = numeric.group(3)
        year = (int(year_text) + (2000 if len(year_text) == 2 else 0)) if year_text else None
        return date(year or _year_for(month, day, today), month, day)
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _EXCEL_EPOCH + timedelta(days=int(float(text)))
    key = normalise(text).replace(",", " ").replace("-", " ")
    months = _month_names()
    for pattern, day_at, month_at in ((_NAMED, 1, 2), (_NAMED_US, 2, 1)):
        match = pattern.fullmatch(key)
        if match and match.group(month_at) in months:
            day, month = int(match.group(day_at)), months[match.group(month_at)]
            year = int(match.group(3)) if match.group(3) else _year_for(month, day, today)
            return date(year, month, day)
    try:
        return datetime.fromisoformat(text).astimezone(UTC).date()
    except ValueError:
        raise CellError("not a date") from None
