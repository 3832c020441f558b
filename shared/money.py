"""Money for the whole product: integer minor units + ISO 4217 currency, formatted and read per locale.

One source for currency digits (CLDR, through Babel), for how an amount is written and for how a
written amount is read back, used by the sheet reader, the replies, the grounding check, the KPIs
and the alerts alike. Never floats: amounts travel as `int` minor units and become `Decimal` only
to be formatted or parsed.

    parse_money("R$ 39,90", locale="pt-BR", default_currency="BRL")  -> Money(3990, "BRL")
    parse_money("KWD 1.250", locale="en-US", default_currency="USD") -> Money(1250, "KWD")
    find_amounts("now ₹1,299/- or Rs 450", locale="en-IN", default_currency="INR")
        -> [(129900, "INR", "₹1,299/-"), (45000, "INR", "Rs 450")]

Reading follows the locale only where the text is ambiguous: `1.299` is 1299 in reais and in
dollars (two decimals cannot end in three digits), `KWD 1.250` is one dinar and a quarter where
`.` is the decimal point, and `1.2.3` is refused rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    get_territory_currencies,
    list_currencies,
)

DEFAULT_LOCALE = "en_US"


class AmountError(ValueError):
    """A text that is not an amount (or a count); the message says why, for a person."""


@dataclass(frozen=True)
class Money:
    minor: int
    currency: str


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


# --- reading -------------------------------------------------------------------------------------

# Where symbols are collected from, in order of preference when one symbol names several
# currencies and neither the tenant's currency nor its locale settles it ("$" is USD first).
_REFERENCE_LOCALES = (
    "en_US", "en_GB", "en_IN", "en_CA", "en_AU", "en_NZ", "en_SG", "en_HK", "en_NG", "en_ZA",
    "en_KE", "en_PH", "pt_BR", "pt_PT", "es_ES", "es_MX", "es_AR", "es_CO", "es_CL", "es_PE",
    "fr_FR", "fr_CH", "fr_CA", "de_DE", "de_CH", "it_IT", "nl_NL", "pl_PL", "cs_CZ", "sv_SE",
    "da_DK", "nb_NO", "ru_RU", "uk_UA", "tr_TR", "ja_JP", "zh_CN", "zh_TW", "ko_KR", "hi_IN",
    "id_ID", "ms_MY", "th_TH", "vi_VN", "ar_AE", "ar_SA", "ar_KW", "ar_EG", "he_IL", "ur_PK",
)  # fmt: skip
# Local habits CLDR does not list as symbols, and currency words (singular and plural). A word
# names a family: the tenant's currency when it belongs to it, else the first.
_EXTRA_SYMBOLS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "ARS", "CLP", "COP", "TWD"),
    "us$": ("USD",), "rs": ("INR", "PKR", "LKR", "NPR"), "rs.": ("INR", "PKR", "LKR", "NPR"),
    "₨": ("PKR", "INR", "LKR", "NPR"), "rp": ("IDR",), "rp.": ("IDR",), "r$": ("BRL",),
    "zł": ("PLN",), "kr": ("SEK", "NOK", "DKK", "ISK"), "kr.": ("DKK", "SEK", "NOK"),
    "रु": ("INR", "NPR"), "रु.": ("INR", "NPR"), "रू": ("NPR", "INR"), "s/": ("PEN",),
    "dollar": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD"), "buck": ("USD", "CAD", "AUD"),
    "dólar": ("USD",), "dolar": ("USD",), "euro": ("EUR",), "real": ("BRL",), "reais": ("BRL",),
    "peso": ("MXN", "ARS", "CLP", "COP", "PHP", "UYU", "DOP"), "rupee": ("INR", "PKR", "LKR", "NPR"),
    "rupaye": ("INR",), "rupaiye": ("INR",), "rupiya": ("INR",), "रुपये": ("INR",), "रुपए": ("INR",),
    "रुपया": ("INR",), "rupiah": ("IDR",), "yen": ("JPY",), "yuan": ("CNY",), "pound": ("GBP",),
    "złoty": ("PLN",), "zloty": ("PLN",), "franc": ("CHF", "XOF", "XAF"), "naira": ("NGN",),
}  # fmt: skip
_WORD_PLURALS = {"dollars": "dollar", "bucks": "buck", "dólares": "dólar", "dolares": "dólar",
                 "euros": "euro", "pesos": "peso", "rupees": "rupee", "pounds": "pound",
                 "zlotys": "zloty", "francs": "franc", "yenes": "yen"}  # fmt: skip
# Written instead of 0 in a price cell.
FREE_WORDS = frozenset(
    {"free", "free of charge", "no charge", "complimentary", "gratis", "grátis", "gratuito", "gratuita",
     "gratuit", "gratuite", "offert", "offerte", "cuma-cuma", "gratis!", "muft", "mufta", "मुफ़्त", "मुफ्त"}
)  # fmt: skip
# "15k", "50rb" (ribu), "1,5jt" (juta), "2 lakh", "1 crore", "15 mil".
MULTIPLIERS = {"k": 3, "mil": 3, "rb": 3, "ribu": 3, "jt": 6, "juta": 6, "lakh": 5, "lakhs": 5,
               "lac": 5, "lacs": 5, "crore": 7, "crores": 7, "cr": 7}  # fmt: skip
# Codes also read in lower case ("30 usd"); other codes only in capitals ("for ALL" is not lek).
_LOWERCASE_CODES = frozenset({"usd", "eur", "gbp", "inr", "brl", "mxn", "idr", "cad", "aud", "jpy", "chf"})
_SPACES = "\u00a0\u202f\u2009\u2007 "
_INVISIBLE = "\u200e\u200f\u061c\u200b\ufeff"
_ENDING = re.compile(r"\s*(?:[.,]\s*[-–—]{1,2}|/-|/=)\s*$")  # "12.-", "12,-", "₹450/-"


@lru_cache(maxsize=1)
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 code Babel (CLDR) knows."""
    return frozenset(list_currencies())


def _home_currency(locale: Locale) -> str | None:
    if not locale.territory:
        return None
    found = get_territory_currencies(locale.territory, date.today())
    return found[0] if found else None


def _symbols_of(locale: Locale) -> dict[str, list[str]]:
    """symbol (case-folded) -> currencies that locale writes with it, its own currency first."""
    home = _home_currency(locale)
    table: dict[str, list[str]] = {}
    for code, symbol in locale.currency_symbols.items():
        key = _clean(symbol).casefold().strip()
        if not key or key == code.casefold() or any(ch.isdigit() for ch in key):
            continue
        table.setdefault(key, []).append(code)
    for codes in table.values():
        codes.sort(key=lambda c: c != home)
    return table


@lru_cache(maxsize=1)
def _global_symbols() -> dict[str, tuple[str, ...]]:
    merged: dict[str, list[str]] = {k: list(v) for k, v in _EXTRA_SYMBOLS.items()}
    for tag in _REFERENCE_LOCALES:
        for symbol, codes in _symbols_of(Locale.parse(tag)).items():
            # A lone Latin letter ("R", "L", "K") reads a unit as money: only the locale's own.
            if len(symbol) == 1 and symbol.isascii() and symbol.isalpha():
                continue
            listed = merged.setdefault(symbol, [])
            listed.extend(c for c in codes if c not in listed)
    return {k: tuple(v) for k, v in merged.items()}


@dataclass(frozen=True)
class _Reader:
    locale: Locale
    default: str
    decimal: str
    group: str
    symbols: dict[str, tuple[str, ...]]
    local: dict[str, list[str]]
    marker: re.Pattern[str]
    home: str | None

    def currency_of(self, marker: str) -> str | None:
        """The currency a symbol, code or word names, for this tenant."""
        key = marker.casefold()
        key = _WORD_PLURALS.get(key, key)
        if marker.upper() in iso_codes() and (marker.isupper() or key in _LOWERCASE_CODES or self._own(key)):
            return marker.upper()
        candidates = [*self.local.get(key, []), *self.symbols.get(key, ())]
        if not candidates:
            return None
        if self.default in candidates:
            return self.default
        return candidates[0]

    def _own(self, code: str) -> bool:
        return code.upper() in (self.default, self.home)


@lru_cache(maxsize=64)
def _reader(locale: str | None, default_currency: str) -> _Reader:
    loc = babel_locale(locale)
    local = _symbols_of(loc)
    symbols = _global_symbols()
    words = set(symbols) | set(local) | set(_WORD_PLURALS)
    alternatives = sorted(words, key=len, reverse=True)
    pattern = "|".join(_bounded(w) for w in alternatives)
    marker = re.compile(rf"(?:{pattern}|(?<![^\W\d_])[A-Za-z]{{3}}(?![^\W\d_]))", re.IGNORECASE)
    return _Reader(
        locale=loc,
        default=default_currency.upper(),
        decimal=_clean(get_decimal_symbol(loc)),
        group=_clean(get_group_symbol(loc)),
        symbols=symbols,
        local=local,
        marker=marker,
        home=_home_currency(loc),
    )


def _bounded(word: str) -> str:
    """A symbol as a regex that does not match inside a word (`rs` in "hours", `real` in "really")."""
    text = re.escape(word)
    if word[0].isalpha():
        text = r"(?<![^\W\d_])" + text
    if word[-1].isalpha():
        text += r"(?![^\W\d_])"
    return text


def _clean(text: str) -> str:
    """Unicode digits as ASCII, every kind of space as one space, bidi marks dropped (1:1 except
    for those marks, which become spaces so that offsets into the original text still hold)."""
    out = []
    for ch in text:
        if ch in _INVISIBLE or ch in _SPACES:
            out.append(" ")
        elif ch.isdecimal() and not ch.isascii():
            out.append(str(unicodedata.decimal(ch)))
        elif ch in "’‘":
            out.append("'")
        elif ch == "٫":
            out.append(".")
        elif ch == "٬":
            out.append(",")
        else:
            out.append(ch)
    return "".join(out)


def _valid_grouping(groups: list[str]) -> bool:
    """`1,234,567` (threes) or `12,34,567` (Indian lakh grouping)."""
    if len(groups) == 1:
        return bool(groups[0])
    first, *middle, last = groups
    if not first or len(first) > 3 or len(last) != 3:
        return False
    if all(len(g) == 3 for g in middle):
        return True
    return len(first) <= 2 and all(len(g) == 2 for g in middle)


def read_number(token: str, *, decimal_symbol: str, currency_decimals: int | None) -> Decimal:
    """A written number as a Decimal: `1,299.00`, `1.299,00`, `1 299,00`, `12,34,567`, `.99`.

    A single `.` or `,` followed by exactly three digits is ambiguous: for money it groups
    thousands unless the currency has three decimals and the mark is the locale's decimal point;
    for counts (`currency_decimals=None`) it groups thousands only where the locale groups with
    it, and is refused otherwise. Raises AmountError for separators in the wrong places.
    """
    text = token.strip().replace("'", " ")
    if not text or not any(ch.isdigit() for ch in text):
        raise AmountError("no number in it")
    if text[0] in ".,":
        text = "0" + text
    marks = [ch for ch in text if ch in ".,"]
    kinds = set(marks)
    decimal_mark: str | None = None
    if len(kinds) == 2:
        decimal_mark = marks[-1]
        if marks.count(decimal_mark) > 1:
            raise AmountError("separators in the wrong places")
    elif len(kinds) == 1:
        mark = marks[0]
        tail = text.rpartition(mark)[2]
        if len(marks) > 1:
            decimal_mark = None
        elif len(tail) != 3 or " " in text:
            decimal_mark = mark
        elif currency_decimals is None:
            if mark == decimal_symbol:
                raise AmountError(f"{token.strip()!r} could be read two ways; write it without the {mark!r}")
            decimal_mark = None
        else:
            decimal_mark = mark if currency_decimals == 3 and mark == decimal_symbol else None
    whole, _, fraction = text.rpartition(decimal_mark) if decimal_mark else (text, "", "")
    groups = re.split(r"[ .,]", whole)
    if not _valid_grouping(groups) or (decimal_mark and not fraction.isdigit()):
        raise AmountError("separators in the wrong places")
    try:
        return Decimal("".join(groups) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        raise AmountError("not a number") from None


def parse_number(text: str, *, locale: str | None) -> Decimal:
    """A count or quantity as the locale writes it (`1.000` is a thousand in pt-BR, refused as
    ambiguous in en-US; `1,5` is one and a half where `,` is the decimal mark)."""
    reader = _reader(locale, "USD")
    cleaned = " ".join(_clean(text).split())
    if not re.fullmatch(r"[0-9][0-9 .,']*|[.,][0-9]+", cleaned):
        raise AmountError("not a number")
    return read_number(cleaned, decimal_symbol=reader.decimal, currency_decimals=None)


_NUMBER = re.compile(r"[.,]?\d(?:[\d.,' ]*\d)?")


def parse_money(text: str, *, locale: str | None, default_currency: str) -> Money | None:
    """A price as a person writes it, or None for a blank text.

    Reads symbols, codes and currency words before or after the amount (`R$ 39,90`, `39,90 zł`,
    `KWD 1.250`, `Rs. 450/-`, `12.-`, `$.99`, `Rp 15.000`, `₹1,23,456`, `15rb`), `free` (and its
    translations) as 0; the currency is the one written, else `default_currency`. Raises
    AmountError with the reason for anything else (`1.2.3`, `10pcs`, `TBD`, `N/A`, `-5`).
    """
    cleaned = " ".join(_clean(text).split())
    if not cleaned:
        return None
    reader = _reader(locale, default_currency)
    if cleaned.casefold() in FREE_WORDS:
        return Money(0, reader.default)
    if cleaned.startswith(("-", "−")) or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise AmountError("a price cannot be negative")
    rest = _ENDING.sub("", cleaned)
    currencies: set[str] = set()

    def take(match: re.Match[str]) -> str:
        code = reader.currency_of(match.group(0))
        if code is None:
            return match.group(0)
        currencies.add(code)
        return " "

    rest = reader.marker.sub(take, rest)
    if len(currencies) > 1:
        raise AmountError(f"names two currencies ({', '.join(sorted(currencies))})")
    currency = currencies.pop() if currencies else reader.default
    numbers = _NUMBER.findall(rest)
    if not numbers:
        raise AmountError("not a price: no amount in it")
    leftover = _NUMBER.sub(" ", rest, count=1).strip().casefold()
    power = 0
    if leftover in MULTIPLIERS and _NUMBER.fullmatch(rest.strip()[: -len(leftover)].strip()):
        power = MULTIPLIERS[leftover]
    elif len(numbers) > 1:
        raise AmountError("not a price: more than one number")
    elif leftover:
        raise AmountError(f"not a price: {leftover!r} is not a currency")
    digits = currency_digits(currency)
    try:
        amount = read_number(numbers[0], decimal_symbol=reader.decimal, currency_decimals=digits)
    except AmountError as exc:
        raise AmountError(f"not a price: {exc}") from None
    minor = amount.scaleb(digits + power)
    if minor != minor.to_integral_value():
        raise AmountError(f"more decimals than {currency} allows ({digits})")
    return Money(int(minor), currency)


_FIND_NUMBER = r"(?:[.,]\d+|\d{1,3}(?:(?:[.,' ]\d{3})+|(?:[.,]\d{2})+[.,]\d{3})(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_FIND_SUFFIX = r"(?:\s?(?:k|mil|rb|ribu|jt|juta|lakhs?|lacs?|crores?|cr)(?![^\W\d_]))?"


@lru_cache(maxsize=64)
def _finder(locale: str | None, default_currency: str) -> re.Pattern[str]:
    marker = _reader(locale, default_currency).marker.pattern
    return re.compile(
        rf"(?P<pre>{marker})\s{{0,2}}(?P<n1>{_FIND_NUMBER}(?!\d)){_FIND_SUFFIX}(?P<end1>[.,]-|/-)?"
        rf"|(?<![\d.,])(?P<n2>{_FIND_NUMBER}){_FIND_SUFFIX}(?P<end2>[.,]-|/-)?\s{{0,2}}(?P<post>{marker})",
        re.IGNORECASE,
    )


def find_amounts(
    text: str, *, locale: str | None, default_currency: str, bare: bool = False
) -> list[tuple[int, str, str]]:
    """Every amount of money in a free text, as (minor units, currency, the text matched), in order.

    An amount needs a currency next to it (symbol, code or word), like `R$ 39,90`, `20 dollars`,
    `Rp 15.000`; with `bare=True`, numbers with exactly the default currency's decimals (`79.99`)
    count too. Numbers that do not read as money (`1.2.3`) are left out.
    """
    cleaned = _clean(text)
    reader = _reader(locale, default_currency)
    found: list[tuple[int, str, str, int]] = []
    taken: list[tuple[int, int]] = []
    for match in _finder(locale, default_currency).finditer(cleaned):
        said = text[match.start() : match.end()].strip()
        marker = match.group("pre") or match.group("post")
        if reader.currency_of(marker) is None:
            continue
        try:
            money = parse_money(said, locale=locale, default_currency=default_currency)
        except AmountError:
            continue
        if money is not None:
            found.append((money.minor, money.currency, said, match.start()))
            taken.append(match.span())
    if bare:
        digits = currency_digits(default_currency)
        bare_re = rf"(?<![\d.,])\d{{1,3}}(?:[.,' ]\d{{3}})*[.,]\d{{{digits}}}(?![\d.,]\d)" if digits else None
        for match in re.finditer(bare_re, cleaned) if bare_re else ():
            if any(s <= match.start() < e for s, e in taken):
                continue
            try:
                money = parse_money(match.group(0), locale=locale, default_currency=default_currency)
            except AmountError:
                continue
            if money is not None:
                found.append((money.minor, money.currency, text[match.start() : match.end()], match.start()))
    return [(m, c, s) for m, c, s, _ in sorted(found, key=lambda f: f[3])]


def currency_named(text: str, *, locale: str | None, default_currency: str = "USD") -> str | None:
    """The currency a bare symbol, code or word names (`€`, `R$`, `usd`, `reais`), else None."""
    cleaned = " ".join(_clean(text).split())
    reader = _reader(locale, default_currency)
    match = reader.marker.fullmatch(cleaned)
    return reader.currency_of(match.group(0)) if match else None
