"""Money for the whole product: integer minor units + ISO 4217 currency, formatted per locale.

One source for currency digits (CLDR, through Babel) and for how an amount is written, used by
the sheet reader, the replies, the KPIs and the alerts alike. Never floats: amounts travel as
`int` minor units and become `Decimal` only to be formatted.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision

DEFAULT_LOCALE = "en_US"


@lru_cache(maxsize=512)
def currency_digits(currency: str) -> int:
    """Decimal digits of the currency's minor unit: 2 for USD, 0 for JPY, 3 for KWD."""
    return int(get_currency_precision(currency.upper()))


@lru_cache(maxsize=64)
def babel_locale(locale: str | None) -> Locale:
    """`pt-BR`, `pt_BR` or `pt` as a Babel Locale; an unknown or empty one is en_US."""
    try:
        return Locale.parse((locale or DEFAULT_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-currency_digits(currency))


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """`3990, "BRL", "pt-BR"` -> `R$ 39,90`; `1500, "JPY", "en-US"` -> `¥1,500`."""
    return format_currency(to_decimal(minor, currency), currency.upper(), locale=babel_locale(locale))
