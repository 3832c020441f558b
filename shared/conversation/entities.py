"""What a message says besides its intent: amounts and price limits, quantities, days and times.

Pure functions over folded text and the chat lexicon of the message's language (plus English,
which customers mix into every language). Amounts are read as customers write them in chat:
"$100", "100 dollars", "R$ 50", "100rb", "150 ribu", "1 lakh", "2k", "50 mil pesos".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from shared.conversation.lexicon import Lexicon
from shared.money import currency_digits

_MULTIPLIERS = {
    "k": 1000, "rb": 1000, "ribu": 1000, "mil": 1000, "lakh": 100000, "lac": 100000, "lakhs": 100000,
    "jt": 1000000, "juta": 1000000, "cr": 10000000, "crore": 10000000,
}  # fmt: skip
_CURRENCY_WORDS = (
    r"us\$|r\$|rp\.?|rs\.?|inr|usd|eur|brl|mxn|idr|cop|ars|clp|pen|\$|€|£|₹|"
    r"dollars?|dolares|dólares|bucks|euros?|reais|real|pesos?|rupees?|rupiah|rupaye|rupay|rs"
)
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
AMOUNT = re.compile(
    rf"(?P<pre>{_CURRENCY_WORDS})?\s?(?P<num>{_NUMBER})\s?(?P<mult>k|rb|ribu|mil|lakhs?|lac|jt|juta|cr|crore)?\b"
    rf"\s?(?P<post>{_CURRENCY_WORDS})?",
    re.IGNORECASE,
)
_TIME_HM = re.compile(r"\b([01]?\d|2[0-3])\s?(?::|h|\.)\s?([0-5]\d)\b")
_TIME_H = re.compile(r"\b([01]?\d|2[0-3])\s?(?:h|hs|hrs|horas|heures|uhr)\b")
_TIME_AMPM = re.compile(r"\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?([ap])\.?\s?m\b\.?")
_DAY_MONTH = re.compile(r"\b([0-3]?\d)[/.-]([01]?\d)(?:[/.-](\d{2,4}))?\b")
_ISO_DATE = re.compile(r"\b(20\d\d)-([01]\d)-([0-3]\d)\b")
_MONTHS = {
    "jan": 1, "janeiro": 1, "enero": 1, "janvier": 1, "januari": 1, "january": 1,
    "feb": 2, "fev": 2, "february": 2, "fevereiro": 2, "febrero": 2, "fevrier": 2, "februari": 2,
    "mar": 3, "march": 3, "marco": 3, "marzo": 3, "mars": 3, "maret": 3,
    "apr": 4, "abr": 4, "april": 4, "abril": 4, "avril": 4,
    "may": 5, "mai": 5, "maio": 5, "mayo": 5, "mei": 5,
    "jun": 6, "june": 6, "junho": 6, "junio": 6, "juin": 6, "juni": 6,
    "jul": 7, "july": 7, "julho": 7, "julio": 7, "juillet": 7, "juli": 7,
    "aug": 8, "ago": 8, "august": 8, "agosto": 8, "aout": 8, "agustus": 8,
    "sep": 9, "set": 9, "sept": 9, "september": 9, "setembro": 9, "septiembre": 9, "septembre": 9,
    "oct": 10, "out": 10, "october": 10, "outubro": 10, "octubre": 10, "octobre": 10, "okt": 10,
    "oktober": 10,
    "nov": 11, "november": 11, "novembro": 11, "noviembre": 11, "novembre": 11,
    "dec": 12, "dez": 12, "dic": 12, "des": 12, "december": 12, "dezembro": 12, "diciembre": 12,
    "decembre": 12, "desember": 12,
}  # fmt: skip
_DAY_WITH_MONTH = re.compile(
    r"\b([0-3]?\d)(?:st|nd|rd|th|º|o)?\s?(?:de\s|of\s)?("
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\b"
)
_MONTH_WITH_DAY = re.compile(
    r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s([0-3]?\d)\b"
)
_DAY_NUMBER_WORDS = r"(?:el|dia|día|le|tanggal|tgl|the|on|date|tarikh)"


_DURATION = re.compile(
    r"\s?(?:min|mins|minutes?|minutos?|menit|hrs?|hours?|horas?|jam|dias?|days?|jours?|hari|din)\b"
)


@dataclass(frozen=True)
class Amount:
    minor: int
    start: int
    end: int
    has_currency: bool


def amounts(folded: str, currency: str) -> list[Amount]:
    """Amounts of money in `folded` text, in minor units of `currency` (the shop's)."""
    digits = currency_digits(currency)
    found = []
    for match in AMOUNT.finditer(folded):
        number, mult = match.group("num"), match.group("mult")
        value = _decimal(number)
        if value is None:
            continue
        if mult:
            value *= _MULTIPLIERS[mult.lower().rstrip("s") if mult.lower() != "lakhs" else "lakh"]
        after = folded[match.end() : match.end() + 3]
        if re.match(r"\s?(?::|h\b|am|pm|a\.m|p\.m)", after) or re.match(
            r"\s?[ap]m", folded[match.end("num") :]
        ):
            continue  # a time, not an amount
        if _DURATION.match(folded[match.end("num") :]):
            continue  # a duration ("10 min late", "3 days")
        has_currency = bool(match.group("pre") or match.group("post"))
        found.append(Amount(int(value * 10**digits), match.start(), match.end(), has_currency or bool(mult)))
    return found


def _decimal(number: str) -> Decimal | None:
    compact = number.replace(" ", "")
    tail = re.search(r"[.,](\d{1,2})$", compact)
    if tail:
        whole = re.sub(r"[.,]", "", compact[: tail.start()])
        text = f"{whole}.{tail.group(1)}"
    else:
        text = re.sub(r"[.,]", "", compact)
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class PriceFilter:
    max_minor: int | None = None
    min_minor: int | None = None
    sort: str | None = None  # price_asc | price_desc


def price_filter(folded: str, lexes: list[Lexicon], currency: str) -> PriceFilter:
    """Budget words with the amounts they govern ("under $100", "entre 50 e 100", "termurah")."""
    found = amounts(folded, currency)
    max_minor = min_minor = None
    sort = None
    for amount in found:
        before = folded[max(0, amount.start - 24) : amount.start]
        if any(_ends_with(lex.price["between"], before) for lex in lexes) and len(found) >= 2:
            continue
        after = folded[amount.end : amount.end + 24].lstrip()
        if any(
            _ends_with(lex.price["under"], before) or _starts_with(lex.price["under"], after) for lex in lexes
        ):
            max_minor = amount.minor
        elif any(
            _ends_with(lex.price["over"], before) or _starts_with(lex.price["over"], after) for lex in lexes
        ):
            min_minor = amount.minor
    between = [a for a in found if a.has_currency or len(found) >= 2]
    if len(between) >= 2 and any(lex.price["between"].search(folded) for lex in lexes):
        low, high = sorted((between[0].minor, between[1].minor))
        min_minor, max_minor = low, high
    elif len(found) >= 2 and re.search(r"\d\s?(?:-|to|a|ate|até|hingga|sampai|se)\s?\S*\d", folded):
        first, second = found[0].minor, found[1].minor
        if max_minor is None and min_minor is None and first < second:
            min_minor, max_minor = first, second
    if any(lex.price["priciest"].search(folded) for lex in lexes):
        sort = "price_desc"
    elif any(lex.price["cheapest"].search(folded) for lex in lexes) and max_minor is None:
        sort = "price_asc"
    if max_minor is not None and sort is None:
        sort = "price_asc"
    return PriceFilter(max_minor, min_minor, sort)


def _ends_with(pattern: re.Pattern[str], before: str) -> bool:
    """`before` ends with a phrase of `pattern` (allowing a currency sign or "of" in between)."""
    for text in (before.rstrip(), re.sub(r"(?:\s|us\$|r\$|rp\.?|rs\.?|\$|€|£|₹|\bde|\bof)*$", "", before)):
        if any(m.end() == len(text) for m in pattern.finditer(text)):
            return True
    return False


def _starts_with(pattern: re.Pattern[str], after: str) -> bool:
    """Postpositions: "1000 se kam", "100 or less" (the phrase right after the amount)."""
    match = pattern.search(after)
    return bool(match and match.start() == 0)


def quantity(folded: str, lexes: list[Lexicon], skip: list[tuple[int, int]]) -> int | None:
    """How many the customer wants ("2", "x3", "two", "duas", "a dozen"), or None."""
    for match in re.finditer(
        r"(?<![\d:.,/$€£₹])(?:x\s?)?(\d{1,3})(?:\s?x)?(?![\d:.,/%]|\s?(?:h\b|am\b|pm\b|baje|jam))", folded
    ):
        if any(s <= match.start(1) < e for s, e in skip):
            continue
        value = int(match.group(1))
        if 0 < value <= 500:
            return value
    best: tuple[int, int] | None = None
    one: int | None = None
    for lex in lexes:
        for match in lex.numbers_re.finditer(folded):
            value = lex.numbers[match.group(0)]
            if value == 1 and match.group(0) in ONE_WORDS:
                one = 1 if one is None else one
            elif value > 1 and (best is None or match.start() < best[0]):
                best = (match.start(), value)
    return best[1] if best else one


# "One" as customers order one thing ("une grise svp", "gold wala ek"); "a"/"an" are left out.
ONE_WORDS = frozenset({"un", "una", "uno", "um", "uma", "une", "satu", "ek", "sebuah"})


_NEXT_WEEK = re.compile(r"\b(?:next|proximo|proxima|que vem|prochain|prochaine|depan|agle|agla|agli)\b")


@dataclass(frozen=True)
class When:
    day: date | None = None
    time: str | None = None  # HH:MM
    spans: tuple[tuple[int, int], ...] = ()


def when(folded: str, lexes: list[Lexicon], now: datetime) -> When:
    """The day and time the customer names ("saturday", "tomorrow at 3", "wed 12", "amanhã às 15h",
    "besok jam 10", "kal subah 11 baje"), relative to `now` (the shop's local time)."""
    today = now.date()
    day: date | None = None
    spans: list[tuple[int, int]] = []
    hour_after_day: tuple[int, tuple[int, int]] | None = None  # "sat 11": 11 o'clock
    for lex in lexes:
        match = lex.relative_re.search(folded)
        if match:
            phrase = match.group(0)
            # "mañana" is also "morning" in "por la mañana": a daypart phrase wins.
            part = lex.dayparts_re.search(folded)
            if not (part and part.start() <= match.start() < part.end()):
                day = today + timedelta(days=lex.relative_days[phrase])
                spans.append(match.span())
                break
    if day is None:
        for lex in lexes:
            match = lex.weekdays_re.search(folded)
            if match:
                weekday = lex.weekdays[match.group(0)]
                day = today + timedelta(days=(weekday - today.weekday()) % 7)
                around = folded[max(0, match.start() - 12) : match.end() + 10]
                if _NEXT_WEEK.search(around) and day.isocalendar()[:2] == today.isocalendar()[:2]:
                    # "next Friday", "el próximo viernes", "sexta que vem": in next week (on a
                    # Thursday, "next Tuesday" is in five days, "next Friday" in eight)
                    day += timedelta(days=7)
                spans.append(match.span())
                number = re.match(r"\s?([0-3]?\d)\b(?!\s?(?::|h|am|pm|baje|jam))", folded[match.end() :])
                dated = _day_of_month(int(number.group(1)), today) if number else None
                # "wed 12" is Wednesday the 12th; "sat 11", when the 11th is no Saturday, is 11 o'clock
                if number and dated is not None and dated.weekday() == weekday:
                    day = dated
                    spans.append((match.end(), match.end() + number.end()))
                elif number and 1 <= int(number.group(1)) <= 23:
                    hour_after_day = (int(number.group(1)), (match.end(), match.end() + number.end()))
                break
    explicit = _explicit_date(folded, today)
    if explicit is not None:
        day, span = explicit
        spans.append(span)
    clock, clock_spans = _time(folded, lexes, spans)
    if clock is None and hour_after_day is not None and day is not None:
        clock, clock_spans = _adjust(hour_after_day[0], 0, None, None), [hour_after_day[1]]
    if clock is not None and day is None:
        day = today  # "at 10": today
    return When(day, clock, tuple(spans + clock_spans))


def _explicit_date(folded: str, today: date) -> tuple[date, tuple[int, int]] | None:
    match = _ISO_DATE.search(folded)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3))), match.span()
        except ValueError:
            return None
    for pattern, day_group, month_group in ((_DAY_WITH_MONTH, 1, 2), (_MONTH_WITH_DAY, 2, 1)):
        match = pattern.search(folded)
        if match:
            found = _future(int(match.group(day_group)), _MONTHS[match.group(month_group)], today)
            if found:
                return found, match.span()
    match = _DAY_MONTH.search(folded)
    if match and not re.match(r"\s?(?:h|am|pm)", folded[match.end() :]):
        first, second = int(match.group(1)), int(match.group(2))
        found = _future(first, second, today) if second <= 12 else None
        if found:
            return found, match.span()
    match = re.search(rf"\b{_DAY_NUMBER_WORDS}\s([0-3]?\d)\b(?!\s?(?::|h\b|am|pm|baje|jam|x))", folded)
    if match and 1 <= int(match.group(1)) <= 31:
        found = _day_of_month(int(match.group(1)), today)
        if found:
            return found, match.span()
    return None


def _future(day: int, month: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _day_of_month(day: int, today: date) -> date | None:
    for offset in range(0, 3):
        month = (today.month - 1 + offset) % 12 + 1
        year = today.year + (today.month - 1 + offset) // 12
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _time(
    folded: str, lexes: list[Lexicon], taken: list[tuple[int, int]]
) -> tuple[str | None, list[tuple[int, int]]]:
    def free(span: tuple[int, int]) -> bool:
        return not any(s <= span[0] < e for s, e in taken)

    pm_hint = am_hint = None
    for lex in lexes:
        part = lex.dayparts_re.search(folded)
        if part:
            hour = lex.dayparts[part.group(0)]
            pm_hint, am_hint = hour >= 12, hour < 12
            daypart_hour = hour
            break
    else:
        daypart_hour = None
    match = _TIME_AMPM.search(folded)
    if match and free(match.span()):
        hours = int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0)
        return f"{hours:02d}:{match.group(2) or '00'}", [match.span()]
    match = _TIME_HM.search(folded)
    if match and free(match.span()):
        return _adjust(int(match.group(1)), int(match.group(2)), pm_hint, am_hint), [match.span()]
    match = _TIME_H.search(folded)
    if match and free(match.span()):
        return _adjust(int(match.group(1)), 0, pm_hint, am_hint), [match.span()]
    markers = set().union(*(lex.time_markers for lex in lexes)) - {"h"}
    if markers:
        alternation = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
        pattern = re.compile(
            rf"(?:(?<![\w'])(?:{alternation})\s?([01]?\d|2[0-3])(?![\d/]|\s?(?:x\b|pcs|%))|([01]?\d|2[0-3])\s?(?:baje|bje|o'?clock)\b)"
        )
        for match in pattern.finditer(folded):
            if not free(match.span()):
                continue
            hours = int(match.group(1) or match.group(2))
            return _adjust(hours, 0, pm_hint, am_hint), [match.span()]
    if daypart_hour is not None:
        return None, []
    return None, []


def _adjust(hours: int, minutes: int, pm_hint: bool | None, am_hint: bool | None) -> str:
    """ "at 3" is 15:00 in a shop's day (8 to 20) unless the customer says morning."""
    if hours < 12 and (pm_hint or (hours <= 7 and not am_hint)):
        hours += 12
    return f"{hours:02d}:{minutes:02d}"


def daypart_hour(folded: str, lexes: list[Lexicon]) -> int | None:
    """The hour a daypart word stands for ("morning" 10, "sore" 16), if any."""
    for lex in lexes:
        part = lex.dayparts_re.search(folded)
        if part:
            return lex.dayparts[part.group(0)]
    return None
