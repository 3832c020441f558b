"""A new tenant's locale and currency, guessed from the sheet it already keeps: the language of
its header words (`Produto | Preço` is Portuguese) and the currency its prices are written in
(`R$ 39,90`), so that `tenant create` needs no `--locale` for most shops."""

from __future__ import annotations

from collections import Counter
from datetime import date

from babel.numbers import get_territory_currencies

from shared.catalog.columns import map_headers
from shared.catalog.words import locale_for
from shared.catalog.words import table as words_of
from shared.money import AmountError, babel_locale, parse_money
from shared.sheets.sources import SheetTable

SAMPLE_ROWS = 200
_NO_CURRENCY = "XXX"  # ISO 4217 "no currency": a price cell that names none


def guess_locale(table: SheetTable, *, currency: str | None = None) -> tuple[str, str]:
    """(locale, currency) for a sheet: `currency` when given, else the one its prices name most.
    A symbol several currencies share is read in the sheet's language: `$` in a Spanish sheet is
    the peso, in an English one the dollar."""
    header = map_headers(table.headers)
    language = header.language or "en"
    seen: Counter[str] = Counter()
    if header.price_currency:
        seen[header.price_currency] += SAMPLE_ROWS
    price_at = header.positions.get("price", -1)
    for _, cells in table.rows[:SAMPLE_ROWS]:
        found = _currency_written(cells[price_at] if 0 <= price_at < len(cells) else "", language)
        if found:
            seen[found] += 1
    written = currency or (seen.most_common(1)[0][0] if seen else None)
    locale = locale_for(language, written)
    if written is None:
        territory = babel_locale(locale).territory
        local = get_territory_currencies(territory, date.today()) if territory else []
        written = local[0] if local else "USD"
    return locale, written


def _currency_written(cell: str, language: str) -> str | None:
    """The currency a price cell names, preferring the currencies of the sheet's language."""
    try:
        money = parse_money(cell, locale=None, default_currency=_NO_CURRENCY)
    except AmountError:
        return None
    if money is None or money.currency == _NO_CURRENCY:
        return None
    for preferred in words_of(language).get("locales_by_currency", {}):
        try:
            again = parse_money(cell, locale=None, default_currency=preferred)
        except AmountError:
            continue
        if again is not None and again.currency == preferred:
            return preferred
    return money.currency
