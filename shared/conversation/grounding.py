"""The grounding check: every price, stock figure, time, discount and availability claim in a reply
must be something the facts hold. A reply that fails is replaced before it is sent.

Right both ways: correct negatives ("X is sold out, but Y is in stock", "we don't carry suede")
and the bot's own sentences (cart totals, quoted Info answers and descriptions) pass; invented
discounts ("20% off"), "free shipping", amounts written in words and availability the catalog
does not support are caught. Claims are read per clause, in each of our languages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from shared.conversation.lexicon import compiled
from shared.conversation.retrieval import CatalogItem
from shared.conversation.text import fold
from shared.i18n.catalog import LANGUAGES
from shared.money import currency_digits

_CURRENCY = (
    r"(?:US\$|R\$|Rp\.?|Rs\.?|MX\$|CA\$|A\$|[$€£₹¥₦]"
    r"|\b(?:USD|EUR|GBP|INR|BRL|MXN|IDR|COP|ARS|CLP|PEN|CAD|AUD)\b)"
)
_NUM = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY = re.compile(rf"{_CURRENCY}\s?({_NUM})|({_NUM})\s?{_CURRENCY}", re.IGNORECASE)
_MONEY_WORDS = re.compile(
    r"\b(dollars?|bucks|euros?|reais|real|pesos?|rupees?|rupiah|rupaye|rupaiye|ribu|rb|mil|lakh)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
_PROMO = re.compile(
    r"free (?:shipping|delivery)|envio gratis|frete gratis|entrega gratis|livraison gratuite|gratis ongkir|"
    r"ongkir gratis|free home delivery|\bdiscount\b|\bdescuento\b|\bdesconto\b|\bremise\b|\bdiskon\b|"
    r"\bpromo\b|"
    r"\bcoupon\b|\bcupon\b|\bcupom\b|\bvoucher\b|\boff\b(?= (?:today|now|everything))|buy one get one|2x1|"
    r"\bsale\b",
)
_TIME = re.compile(
    r"\b([01]?\d|2[0-3])[:h]([0-5]\d)\b(?!\s?%)|\b(?:jam|pukul|pkl)\s?([01]?\d|2[0-3])\.([0-5]\d)\b"
)
_TIME_12H = re.compile(r"\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?([ap])\.?m\b", re.IGNORECASE)
_STOCK = re.compile(
    r"(?<![\d:.,$€£₹])(\d+)\s+(?:[a-z'-]+\s+){0,3}?(?:left|in stock|available|units?|pieces?|pcs|remaining|"
    r"unidades|restants?|bache|pcs)\b"
    r"|\b(?:only|we have|there are|quedan|queda|restam|sisa|tinggal|plus que|sirf|solo quedan|"
    r"só restam|stock:?)\s+(\d+)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"“[^”]*”|«[^»]*»|\"[^\"]*\"")
_CLAUSE = re.compile(
    r"(?<=[.!?;])\s+|\n|\s*;\s*|,?\s+\b(?:but|however|pero|mas|mais|tapi|namun|lekin|par|sedangkan|while|whereas)\b\s+"
)
_IN = {
    "en": r"in stock|available|we have it|we've got it|have it in stock|ready to ship",
    "es": r"disponible|en stock|en existencia|si tenemos|sí tenemos|lo tenemos",
    "pt": r"em estoque|disponivel|temos sim|tem sim",
    "fr": r"en stock|disponible|nous l'avons",
    "id": r"ready|tersedia|ada stok|masih ada|stok ada",
    "hi": r"stock mein hai|stock me hai|available hai|mil jayega|milega",
}
_OUT = {
    "en": r"out of stock|sold out|unavailable|not available|isn't available|is not available|don'?t have|"
    r"do not have|no longer|not in stock|none left|no stock|fully booked|don'?t carry|do not carry",
    "es": r"agotad[oa]s?|sin stock|no (?:esta|está) disponible|no disponible|no tenemos|no hay"
    r"|sin existencias|completo|sin turnos",
    "pt": r"esgotad[oa]s?|sem estoque|indisponivel|nao (?:esta|está) disponivel|nao temos|não temos"
    r"|acabou|lotado|sem horarios",
    "fr": r"rupture|epuise|épuisé|pas disponible|indisponible|n'avons pas|n'est plus|complet",
    "id": r"habis|kosong|tidak tersedia|tidak ada|belum ada|penuh|sold out",
    "hi": r"khatam|nahi hai|stock mein nahi|available nahi|nahi milega|full hain",
}
_IN_RE = re.compile(r"\b(?:" + "|".join(_IN.values()) + r")\b")
_OUT_RE = re.compile(r"(?:" + "|".join(_OUT.values()) + r")")


@dataclass(frozen=True)
class Grounds:
    """What a reply may state: the quoted items, free slot times, computed amounts (cart
    totals), verbatim quotes (Info answers, descriptions)."""

    items: Sequence[CatalogItem] = ()
    slot_times: Sequence[str] = ()
    amounts: Sequence[int] = ()
    quotes: Sequence[str] = ()
    currency: str | None = None


@dataclass(frozen=True)
class GroundingResult:
    grounded: bool
    problems: tuple[str, ...] = ()


def check_reply(
    reply: str,
    items: Sequence[CatalogItem] = (),
    *,
    slot_times: Sequence[str] = (),
    amounts: Sequence[int] = (),
    quotes: Sequence[str] = (),
    currency: str | None = None,
) -> GroundingResult:
    """Check `reply` against the `items` it may speak about, the free `slot_times`, computed
    `amounts` (minor units of the items' currency: cart totals) and verbatim `quotes`."""
    grounds = Grounds(tuple(items), tuple(slot_times), tuple(amounts), tuple(quotes), currency)
    text = _without_quotes(reply, grounds.quotes)
    problems: list[str] = []
    # Item names say nothing by themselves ("Risoles 2 pcs", "Tinte completo"): figures and
    # claims are read in the rest of the text.
    bare = _without_names(text, grounds.items)
    problems += _money(bare, grounds)
    problems += _stock(bare, grounds)
    problems += _times(bare, grounds)
    problems += _promises(bare, grounds)
    problems += _availability(text, grounds)
    return GroundingResult(not problems, tuple(problems))


def _without_quotes(reply: str, quotes: Sequence[str]) -> str:
    """The reply minus what it quotes verbatim (the shop's own words are not claims of ours)."""
    text = reply
    for quote in sorted((q for q in quotes if q), key=len, reverse=True):
        text = text.replace(quote, " ")
    return _QUOTED.sub(" ", text)


def _without_names(text: str, items: Sequence[CatalogItem]) -> str:
    for item in sorted(items, key=lambda i: len(i.name), reverse=True):
        text = re.sub(re.escape(item.name), " ", text, flags=re.IGNORECASE)
    return text


def _decimal_readings(number: str) -> set[Decimal]:
    """ "1.299,00" and "1,299.00" both; "150.000" as 150000 and as 150.000."""
    compact = re.sub(r"[\u00a0\u202f ]", "", number)
    readings: set[Decimal] = set()
    for decimal_mark, group_mark in ((".", ","), (",", ".")):
        candidate = compact.replace(group_mark, "")
        if candidate.count(decimal_mark) > 1:
            continue
        try:
            readings.add(Decimal(candidate.replace(decimal_mark, ".")))
        except InvalidOperation:
            continue
    return readings


# What a written currency marker can mean ("$" is any of the dollars and pesos).
_MARKERS = {
    "r$": {"BRL"}, "€": {"EUR"}, "£": {"GBP"}, "₹": {"INR"}, "rs": {"INR"}, "rs.": {"INR"}, "rp": {"IDR"},
    "rp.": {"IDR"}, "¥": {"JPY", "CNY"}, "₦": {"NGN"}, "us$": {"USD"}, "mx$": {"MXN"}, "ca$": {"CAD"},
    "a$": {"AUD"}, "$": {"USD", "MXN", "CAD", "AUD", "ARS", "CLP", "COP", "SGD", "NZD", "HKD"},
}  # fmt: skip


def _allowed_amounts(grounds: Grounds) -> set[tuple[str, Decimal]]:
    allowed: set[tuple[str, Decimal]] = set()
    currencies = {i.currency for i in grounds.items} | ({grounds.currency} if grounds.currency else set())
    for item in grounds.items:
        if item.price_minor is not None:
            allowed.add((item.currency, Decimal(item.price_minor).scaleb(-currency_digits(item.currency))))
    for amount in grounds.amounts:
        for currency in currencies or {"USD"}:
            allowed.add((currency, Decimal(amount).scaleb(-currency_digits(currency))))
    return allowed


def _currencies_of(said: str) -> set[str] | None:
    """The currencies a matched amount may be in, from its marker (None: any)."""
    marker = re.sub(r"[\d.,\s\u00a0\u202f]", "", said).lower()
    if marker.upper() in {
        "USD",
        "EUR",
        "GBP",
        "INR",
        "BRL",
        "MXN",
        "IDR",
        "COP",
        "ARS",
        "CLP",
        "PEN",
        "CAD",
        "AUD",
    }:
        return {marker.upper()}
    return _MARKERS.get(marker)


def _money(text: str, grounds: Grounds) -> list[str]:
    allowed = _allowed_amounts(grounds)
    values = {value for _, value in allowed}
    problems = []
    for match in _MONEY.finditer(text):
        number = match.group(1) or match.group(2)
        wanted = _currencies_of(match.group(0))
        readings = _decimal_readings(number)
        ok = any(value in readings and (wanted is None or cur in wanted) for cur, value in allowed)
        if not ok:
            problems.append(f"amount {match.group(0).strip()!r} is not in the catalog")
    for match in re.finditer(r"(?<![\d$€£₹.,:])(\d{1,3}(?:,\d{3})*\.\d{2})(?![\d.%]|\s?[ap]\.?m\b)", text):
        if not (_decimal_readings(match.group(1)) & values) and not _MONEY.search(
            text[max(0, match.start() - 4) : match.end() + 4]
        ):
            problems.append(f"amount {match.group(1)!r} is not in the catalog")
    folded = fold(text)
    for match in _MONEY_WORDS.finditer(folded):
        before = folded[max(0, match.start() - 30) : match.start()]
        if _number_words(before):
            problems.append(
                f"an amount in words ({folded[max(0, match.start() - 20) : match.end()].strip()!r})"
            )
    return problems


_TENS = re.compile(
    r"\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|veinte|treinta|cuarenta|"
    r"cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento|mil|vinte|trinta|quarenta|cinquenta|sessenta|"
    r"oitenta|cem|cento|vingt|trente|quarante|cinquante|soixante|cent|puluh|ratus|ribu|bees|tees|chalis|"
    r"pachas|sau|hazaar|hazar)\w*"
)


def _number_words(before: str) -> bool:
    tail = before.split()[-3:]
    for lang in LANGUAGES:
        numbers = compiled(lang).numbers
        if any(word in numbers and numbers[word] > 1 for word in tail):
            return True
        if _TENS.search(" ".join(tail)):
            return True
    return False


def _stock(text: str, grounds: Grounds) -> list[str]:
    stocks = {i.stock for i in grounds.items if i.stock is not None}
    problems = []
    for match in _STOCK.finditer(text):
        value = int(match.group(1) or match.group(2))
        if value not in stocks and value not in grounds.amounts:
            problems.append(f"stock figure {match.group(0)!r} is not in the catalog")
    return problems


def _times(text: str, grounds: Grounds) -> list[str]:
    allowed = {_normal_time(t) for t in grounds.slot_times}
    problems = []
    for match in _TIME.finditer(text):
        hours, minutes = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        if f"{int(hours):02d}:{minutes}" not in allowed:
            problems.append(f"time {match.group(0)!r} is not a free slot")
    for match in _TIME_12H.finditer(text):
        hours = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
        if f"{hours:02d}:{match.group(2) or '00'}" not in allowed:
            problems.append(f"time {match.group(0)!r} is not a free slot")
    return problems


def _promises(text: str, grounds: Grounds) -> list[str]:
    problems = []
    facts_text = fold(" ".join(f"{i.name} {i.description}" for i in grounds.items))
    for match in _PERCENT.finditer(text):
        if match.group(0).replace(" ", "") not in facts_text.replace(" ", ""):
            problems.append(f"{match.group(0)!r} is not in the catalog")
    for match in _PROMO.finditer(fold(text)):
        if match.group(0) not in facts_text:
            problems.append(f"promise {match.group(0)!r} is not in the catalog")
    return problems


_FUTURE_BACK = re.compile(
    r"back in stock|vuelva a estar disponible|volvio a estar disponible|voltar ao estoque|voltou ao estoque|"
    r"(?:est |sera )?de retour(?: en stock)?|ready lagi|ada lagi|stock mein aate|wapas stock mein"
)


def _availability(text: str, grounds: Grounds) -> list[str]:
    """In/out-of-stock claims about products (a service's times are checked as slot times)."""
    problems = []
    products = [i for i in grounds.items if i.kind != "service"]
    for clause in _CLAUSE.split(_FUTURE_BACK.sub(" ", fold(text))):
        if not clause or not clause.strip():
            continue
        says_out = bool(_OUT_RE.search(clause))
        says_in = bool(_IN_RE.search(clause)) and not says_out
        if not (says_in or says_out):
            continue
        for item in _named_in(clause, products):
            rest = re.sub(re.escape(fold(item.name)), " ", clause)
            says_out = bool(_OUT_RE.search(rest))
            says_in = bool(_IN_RE.search(rest)) and not says_out
            if says_in and not item.available:
                problems.append(f"says {item.name!r} is available but it is not")
            if says_out and item.available:
                problems.append(f"says {item.name!r} is unavailable but it is available")
    return problems


def _normal_time(value: str) -> str:
    hours, _, minutes = value.replace(".", ":").partition(":")
    return f"{int(hours):02d}:{minutes[:2] or '00'}"


def _named_in(clause: str, items: Sequence[CatalogItem]) -> list[CatalogItem]:
    """Items named in `clause`; "Denim Jacket" does not count inside "Black Denim Jacket"."""
    named = [i for i in items if re.search(rf"\b{re.escape(fold(i.name))}(?:e?s)?\b", clause)]
    return [i for i in named if not any(fold(i.name) in fold(j.name) and i.name != j.name for j in named)]
