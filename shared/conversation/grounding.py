"""The grounding check: every price, stock figure, slot and availability claim in a reply must
be something the catalog holds. A reply that fails is replaced before it is sent.

The check is deliberately strict and textual: it does not trust the model, the customer or the
template that wrote the reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shared.conversation.catalog_index import CatalogItem
from shared.conversation.money import money_mentions

# A count of things: "250 Denim Jackets left", "we have 12", "only 3 in stock", "stock: 7".
# Numbers that are part of a price or a time ("$89 in stock", "10:00 is available") are not counts.
_COUNT = r"(?<![$€£₹¥:.,\d])(\d+)"
_STOCK = re.compile(
    rf"\b{_COUNT}\s+(?:[a-z'-]+\s+){{0,3}}?(?:left|in stock|available|units?|pieces?|pcs|remaining)\b"
    rf"|\b(?:only|we have|we've got|there are|stock(?:\s+(?:of|is|level))?:?)\s+{_COUNT}\b",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b(?!\s?[ap]\.?m\b)")
_TIME_12H = re.compile(r"\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?([ap])\.?m\b", re.IGNORECASE)
# An amount with cents but no currency ("now 79.99"): a model's way to quote a price bare.
_BARE_AMOUNT = re.compile(r"(?<![\d$€£₹¥.,:])(\d{1,3}(?:,\d{3})*\.\d{2})(?![\d.]|\s?[ap]\.?m\b)")
_IN_STOCK = re.compile(r"\b(in stock|available|we have it|have it in)\b", re.IGNORECASE)
_OUT = re.compile(r"\b(out of stock|sold out|unavailable|not available|don'?t have)\b", re.IGNORECASE)


@dataclass(frozen=True)
class GroundingResult:
    grounded: bool
    problems: tuple[str, ...] = ()


def check_reply(
    reply: str, items: Sequence[CatalogItem], *, slot_times: Sequence[str] = (), currency: str = "USD"
) -> GroundingResult:
    """Check `reply` against the catalog `items` (and free slot start times) it may speak about."""
    problems: list[str] = []
    prices = {(i.price_minor, i.currency.upper()) for i in items if i.price_minor is not None}
    mentions = money_mentions(reply, currency)
    for minor, cur, said in mentions:
        if (minor, cur) not in prices:
            problems.append(f"price {said!r} is not in the catalog")
    quoted = " ".join(said for _, _, said in mentions)
    for match in _BARE_AMOUNT.finditer(reply):
        minor = round(float(match.group(1).replace(",", "")) * 100)
        if match.group(1) not in quoted and minor not in {m for m, _ in prices}:
            problems.append(f"price {match.group(0)!r} is not in the catalog")
    stocks = {i.stock for i in items if i.stock is not None}
    for match in _STOCK.finditer(reply):
        value = int(match.group(1) or match.group(2))
        if value not in stocks:
            problems.append(f"stock figure {match.group(0)!r} is not in the catalog")
    allowed_times = {_normal_time(t) for t in slot_times}
    for match in _TIME.finditer(reply):
        if f"{int(match.group(1)):02d}:{match.group(2)}" not in allowed_times:
            problems.append(f"time {match.group(0)!r} is not a free slot")
    for match in _TIME_12H.finditer(reply):
        hours = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
        if f"{hours:02d}:{match.group(2) or '00'}" not in allowed_times:
            problems.append(f"time {match.group(0)!r} is not a free slot")
    for sentence in re.split(r"(?<=[.!?\n])\s+|\n", reply):
        says_out = bool(_OUT.search(sentence))
        says_in = bool(_IN_STOCK.search(sentence)) and not says_out
        for item in _named_in(sentence, items):
            if says_in and item.status == "out":
                problems.append(f"says {item.name!r} is available but it is out of stock")
            if says_out and item.available:
                problems.append(f"says {item.name!r} is out of stock but it is available")
    return GroundingResult(not problems, tuple(problems))


def _normal_time(value: str) -> str:
    hours, _, minutes = value.replace(".", ":").partition(":")
    return f"{int(hours):02d}:{minutes[:2] or '00'}"


def _named_in(sentence: str, items: Sequence[CatalogItem]) -> list[CatalogItem]:
    """Items named in `sentence`; "Denim Jacket" does not count inside "Black Denim Jacket"."""
    lowered = sentence.lower()
    # A plural names the item too: "Denim Jackets are in stock".
    named = [i for i in items if re.search(rf"\b{re.escape(i.name.lower())}(?:e?s)?\b", lowered)]
    return [i for i in named if not any(i.name.lower() in j.name.lower() and i.name != j.name for j in named)]
