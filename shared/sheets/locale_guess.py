"""A new tenant's locale and currency, guessed from the sheet it already keeps: the language of
its header words (`Produto | Preço` is Portuguese) and the currency its prices are written in
(`R$ 39,90`), so that `tenant create` needs no `--locale` for most shops."""

from __future__ import annotations

from collections import Counter
from datetime import date

from babel.numbers import get_territory_currencies

from shared.catalog.columns import map_headers
from shared.catalog.words import locale_for
from shared.money import AmountError, babel_locale, parse_money
from shared.sheets.sources import SheetTable

SAMPLE_ROWS = 200
_NO_CURRENCY = "XXX"  # ISO 4217 "no currency": a price cell that names none


def guess_locale(table: SheetTable, *, currency: str | None = None) -> tuple[str, str]:
    """(locale, currency) for a sheet: `currency` when given, else the one its prices name most."""
    header = map_headers(table.headers)
    seen: Counter[str] = Counter()
    if header.price_currency:
        seen[header.price_currency] += SAMPLE_ROWS
    price_at = header.positions.get("price", -1)
    for _, cells in table.rows[:SAMPLE_ROWS]:
        cell = cells[price_at] if 0 <= price_at < len(cells) else ""
        try:
            money = parse_money(cell, locale=None, default_currency=_NO_CURRENCY)
        except AmountError:
            continue
        if money is not None and money.currency != _NO_CURRENCY:
            seen[money.currency] += 1
    written = currency or (seen.most_common(1)[0][0] if seen else None)
    locale = locale_for(header.language or "en", written)
    if written is None:
        territory = babel_locale(locale).territory
        found = get_territory_currencies(territory, date.today()) if territory else []
        written = found[0] if found else "USD"
    return locale, written
