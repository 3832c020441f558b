"""shared/money.py: reading prices as shops write them, and reading back what we format."""

from __future__ import annotations

import pytest
from babel.numbers import get_territory_currencies
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.money import (
    AmountError,
    Money,
    babel_locale,
    currency_digits,
    find_amounts,
    format_money,
    iso_codes,
    parse_money,
    parse_number,
)

ROUND_TRIP_LOCALES = (
    "en-US",
    "pt-BR",
    "es-MX",
    "fr-FR",
    "id-ID",
    "hi-IN",
    "en-IN",
    "de-CH",
    "pl-PL",
    "ar-KW",
)


@pytest.mark.parametrize(
    ("text", "locale", "default", "expected"),
    [
        ("R$ 39,90", "pt-BR", "BRL", Money(3990, "BRL")),
        ("R$39.90", "pt-BR", "BRL", Money(3990, "BRL")),
        ("R$ 1.299,00", "pt-BR", "BRL", Money(129900, "BRL")),
        ("₹1,23,456.00", "en-IN", "INR", Money(12345600, "INR")),
        ("₹ 12,34,567", "hi-IN", "INR", Money(123456700, "INR")),
        ("Rs. 450/-", "en-IN", "INR", Money(45000, "INR")),
        ("₹450/-", "en-US", "USD", Money(45000, "INR")),
        ("Rp 15.000", "id-ID", "IDR", Money(1500000, "IDR")),
        ("Rp15.000,00", "id-ID", "IDR", Money(1500000, "IDR")),
        ("Rp 1.250.000", "id-ID", "IDR", Money(125000000, "IDR")),
        ("50rb", "id-ID", "IDR", Money(5000000, "IDR")),
        ("1,5jt", "id-ID", "IDR", Money(150000000, "IDR")),
        ("39,90 zł", "pl-PL", "PLN", Money(3990, "PLN")),
        ("39,90 zł", "en-US", "USD", Money(3990, "PLN")),
        ("12.-", "de-CH", "CHF", Money(1200, "CHF")),
        ("12,-", "de-DE", "EUR", Money(1200, "EUR")),
        ("$.99", "en-US", "USD", Money(99, "USD")),
        ("1.299,00 €", "en-US", "USD", Money(129900, "EUR")),
        ("1 299,00 €", "fr-FR", "EUR", Money(129900, "EUR")),
        ("KWD 1.250", "en-US", "USD", Money(1250, "KWD")),
        ("1.250 KWD", "ar-KW", "KWD", Money(1250, "KWD")),
        ("¥1,200", "en-US", "USD", Money(1200, "JPY")),
        ("$45", "es-MX", "MXN", Money(4500, "MXN")),
        ("$ 1.299", "es-MX", "MXN", Money(129900, "MXN")),
        ("$45", "en-CA", "CAD", Money(4500, "CAD")),
        ("US$ 45", "pt-BR", "BRL", Money(4500, "USD")),
        ("30 usd", "fr-FR", "EUR", Money(3000, "USD")),
        ("20 dollars", "en-US", "USD", Money(2000, "USD")),
        ("150 reais", "pt-BR", "BRL", Money(15000, "BRL")),
        ("500 rupees", "en-IN", "INR", Money(50000, "INR")),
        ("2 lakh", "en-IN", "INR", Money(20000000, "INR")),
        ("free", "en-US", "USD", Money(0, "USD")),
        ("Grátis", "pt-BR", "BRL", Money(0, "BRL")),
        ("gratuit", "fr-FR", "EUR", Money(0, "EUR")),
        ("1,299", "en-US", "USD", Money(129900, "USD")),
        ("12,50", "fr-FR", "EUR", Money(1250, "EUR")),
        ("1500", "JPY", "JPY", Money(1500, "JPY")),
        ("١٢٫٥٠ د.ك.", "ar-KW", "KWD", Money(12500, "KWD")),
    ],
)
def test_prices_as_shops_write_them(text: str, locale: str, default: str, expected: Money) -> None:
    assert parse_money(text, locale=locale, default_currency=default) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.2.3", "separators in the wrong places"),
        ("10pcs", "'pcs' is not a currency"),
        ("TBD", "no amount"),
        ("N/A", "no amount"),
        ("ask in store", "no amount"),
        ("-5", "negative"),
        ("$1.2345", "more decimals than USD"),
        ("¥12.5", "more decimals than JPY"),
        ("10 or 12", "more than one number"),
        ("$5 / €6", "two currencies"),
    ],
)
def test_what_is_not_a_price_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(AmountError, match=reason):
        parse_money(text, locale="en-US", default_currency="USD")


def test_blank_is_no_price() -> None:
    assert parse_money("  ", locale="en-US", default_currency="USD") is None


def test_currency_digits_come_from_cldr() -> None:
    assert (currency_digits("USD"), currency_digits("JPY"), currency_digits("KWD")) == (2, 0, 3)
    # The same digits format and read: no second table can disagree.
    assert format_money(1250, "KWD", "en-US") == "KWD1.250"
    assert parse_money(format_money(1250, "KWD", "en-US"), locale="en-US", default_currency="USD") == Money(
        1250, "KWD"
    )


@pytest.mark.parametrize("locale", ROUND_TRIP_LOCALES)
def test_every_currency_reads_back_what_we_format(locale: str) -> None:
    """Parse what format_money writes, for every ISO 4217 code Babel knows."""
    failures = []
    for currency in sorted(iso_codes()):
        digits = currency_digits(currency)
        for minor in (0, 5, 10**digits, 123456789):
            written = format_money(minor, currency, locale)
            got = parse_money(written, locale=locale, default_currency=currency)
            if got != Money(minor, currency):
                failures.append((currency, minor, written, got))
    assert failures == []


@pytest.mark.parametrize("locale", ROUND_TRIP_LOCALES)
def test_a_foreign_currency_reads_back_under_the_shops_own_default(locale: str) -> None:
    """The symbol alone says which currency, whatever the tenant's default (where it is unique)."""
    loc = babel_locale(locale)
    home = get_territory_currencies(loc.territory)[0]
    symbols = loc.currency_symbols
    for currency in ("USD", "EUR", "GBP", "JPY", "INR", "BRL", "KWD", "IDR", "MXN", "PLN"):
        if currency == home or symbols.get(currency, currency) == symbols.get(home):
            continue
        written = format_money(129900, currency, locale)
        assert parse_money(written, locale=locale, default_currency=home) == Money(129900, currency), written


@settings(max_examples=200, deadline=None)
@given(
    minor=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(sorted(iso_codes())),
    locale=st.sampled_from(ROUND_TRIP_LOCALES),
)
def test_round_trip_any_amount(minor: int, currency: str, locale: str) -> None:
    written = format_money(minor, currency, locale)
    assert parse_money(written, locale=locale, default_currency=currency) == Money(minor, currency)


def test_find_amounts_in_a_reply() -> None:
    assert find_amounts(
        "now ₹1,299/- or Rs 450; 3 left at 10:00", locale="en-IN", default_currency="INR"
    ) == [
        (129900, "INR", "₹1,299/-"),
        (45000, "INR", "Rs 450"),
    ]
    reply = "O vestido custa R$ 39,90 e a saia R$ 1.120,00. Temos 5 peças."
    assert find_amounts(reply, locale="pt-BR", default_currency="BRL") == [
        (3990, "BRL", "R$ 39,90"),
        (112000, "BRL", "R$ 1.120,00"),
    ]
    assert find_amounts("Harga Rp 150.000 saja.", locale="id-ID", default_currency="IDR") == [
        (15000000, "IDR", "Rp 150.000")
    ]
    assert find_amounts("It is $12.50. Or 20 dollars.", locale="en-US", default_currency="USD") == [
        (1250, "USD", "$12.50"),
        (2000, "USD", "20 dollars"),
    ]
    # What we format is found again, whatever the locale writes around it.
    for locale, currency in (("fr-FR", "EUR"), ("pl-PL", "PLN"), ("hi-IN", "INR"), ("ar-KW", "KWD")):
        said = format_money(123456, currency, locale)
        found = find_amounts(f"Total: {said}, merci", locale=locale, default_currency=currency)
        assert [(m, c) for m, c, _ in found] == [(123456, currency)], said


def test_find_amounts_leaves_out_what_is_not_money() -> None:
    text = "Open 10:00-18:00, 3 left, call 555 1234, version 1.2.3 USD"
    assert find_amounts(text, locale="en-US", default_currency="USD") == []
    assert find_amounts("only 79.99 today", locale="en-US", default_currency="USD") == []
    assert find_amounts("only 79.99 today", locale="en-US", default_currency="USD", bare=True) == [
        (7999, "USD", "79.99")
    ]


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.000", "pt-BR", 1000),
        ("1,000", "en-US", 1000),
        ("1.234.567", "id-ID", 1234567),
        ("25", "fr-FR", 25),
    ],
)
def test_counts_read_by_locale(text: str, locale: str, expected: int) -> None:
    assert parse_number(text, locale=locale) == expected


@pytest.mark.parametrize(("text", "locale"), [("1.000", "en-US"), ("1,000", "pt-BR"), ("1.2.3", "en-US")])
def test_ambiguous_counts_are_refused(text: str, locale: str) -> None:
    with pytest.raises(AmountError):
        parse_number(text, locale=locale)
