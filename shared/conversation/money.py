"""Prices as customers read them, and back: integer minor units + ISO currency, never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"})
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥", "NGN": "₦", "BRL": "R$"}
_SYMBOL_TO_CODE = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY", "₦": "NGN", "r$": "BRL"}
_SYMBOL_TO_CODE |= {"rs": "INR", "rs.": "INR", "us$": "USD"}


def exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def format_price(minor: int, currency: str) -> str:
    """`4999, "USD"` -> `$49.99`; `1500, "JPY"` -> `¥1,500`; unknown symbols -> `49.99 CHF`."""
    exp = exponent(currency)
    amount = f"{minor / 10**exp:,.{exp}f}" if exp else f"{minor:,}"
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{amount}" if symbol else f"{amount} {currency.upper()}"


_NUMBER = r"(\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_CODES = "USD|EUR|GBP|INR|JPY|NGN|BRL|CHF|CAD|AUD|MXN|ZAR|KES|AED|SGD"
MONEY = re.compile(
    rf"(?P<sym>US\$|R\$|[$€£₹¥₦]|\bRs\.?|\b(?:{_CODES})\b)\s?{_NUMBER}"
    rf"|{_NUMBER}\s?(?P<sym2>[$€£₹¥₦]|\b(?:{_CODES})\b|dollars?\b|euros?\b|bucks?\b)",
    re.IGNORECASE,
)


def money_mentions(text: str, default_currency: str) -> list[tuple[int, str, str]]:
    """Every amount of money in `text` as (minor units, currency, the text matched)."""
    found = []
    for match in MONEY.finditer(text):
        symbol = (match.group("sym") or match.group("sym2") or "").lower()
        number = match.group(2) if match.group("sym") else match.group(3)
        currency = _SYMBOL_TO_CODE.get(symbol) or (symbol.upper() if len(symbol) == 3 else default_currency)
        if symbol.startswith(("dollar", "buck")):
            currency = "USD" if default_currency not in ("CAD", "AUD", "SGD") else default_currency
        if symbol.startswith("euro"):
            currency = "EUR"
        if symbol == "$" and default_currency in ("CAD", "AUD", "SGD", "MXN"):
            currency = default_currency
        value = parse_amount(number)
        if value is None:
            continue
        found.append((int(value * 10 ** exponent(currency)), currency, match.group(0)))
    return found


def parse_amount(number: str) -> Decimal | None:
    """`1,299.00`, `1.299,00`, `1 299`, `49,9` -> a Decimal (the last separator before 1–2 final
    digits is the decimal point; the others group thousands)."""
    compact = number.replace(" ", "")
    match = re.search(r"[.,](\d{1,2})$", compact)
    if match:
        whole = re.sub(r"[.,]", "", compact[: match.start()])
        text = f"{whole}.{match.group(1)}"
    else:
        text = re.sub(r"[.,]", "", compact)
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
