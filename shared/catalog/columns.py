"""Header names as businesses write them (`Price`, `price (USD)`, `Cost`, `Qty`) mapped to the
catalog's canonical columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.money import currency_named

# Canonical column -> accepted header spellings (compared after normalisation).
ALIASES: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "id", "code", "item code", "product code", "product id", "item id", "ref", "article"),
    "name": ("name", "product", "product name", "item", "item name", "title", "service", "service name"),
    "category": ("category", "categories", "section", "department", "group", "collection"),
    "price": ("price", "cost", "unit price", "rate", "amount", "selling price", "retail price", "mrp"),
    "stock": ("stock", "qty", "quantity", "inventory", "in stock", "available", "units", "stock level"),
    "description": ("description", "details", "desc", "notes", "info"),
    "active": ("active", "enabled", "visible", "listed", "show", "on sale", "published"),
    "kind": ("kind", "type", "product or service"),
    "slots": ("slots", "time slots", "booking slots", "schedule", "sessions"),
    "tags": ("tags", "keywords", "labels"),
    "restock_date": ("restock date", "restock", "back in stock", "available from", "next delivery"),
}
REQUIRED = ("name", "price")
_LOOKUP = {alias: column for column, aliases in ALIASES.items() for alias in aliases}
_CURRENCY_IN_HEADER = re.compile(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]|\bin\s+([a-z]{3})$")


def normalise_header(header: str) -> tuple[str, str | None]:
    """`" Price (USD) "` -> (`"price"`, `"USD"`); `"Unit  Price €"` -> (`"unit price"`, `"EUR"`)."""
    text = " ".join(header.strip().lower().replace("_", " ").split())
    currency: str | None = None
    match = _CURRENCY_IN_HEADER.search(text)
    if match:
        inner = (match.group(1) or match.group(2) or "").strip()
        currency = currency_named(inner, locale=None)
        text = text[: match.start()].strip()
    head, _, last = text.rpartition(" ")
    if head and not last.isalpha() and currency_named(last, locale=None):
        currency, text = currency_named(last, locale=None), head
    text = re.sub(r"[^\w\s]", "", text).strip()
    return text, currency


@dataclass
class HeaderMap:
    """Where each canonical column sits (0-based), plus the currency a price header names."""

    positions: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # column -> the header as the sheet writes it
    price_currency: str | None = None
    unknown: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [c for c in REQUIRED if c not in self.positions]


def map_headers(headers: list[str]) -> HeaderMap:
    """Map a header row; the first header matching a column wins, the rest are listed as unknown."""
    result = HeaderMap()
    for index, header in enumerate(headers):
        name, currency = normalise_header(header)
        column = _LOOKUP.get(name)
        if column is None and name:
            # "Price incl VAT", "Stock on hand": fall back on the first word.
            column = _LOOKUP.get(name.split()[0]) if name.split()[0] in ("price", "stock") else None
        if column is None or column in result.positions:
            if header.strip():
                result.unknown.append(header.strip())
            continue
        result.positions[column] = index
        result.names[column] = header.strip()
        if column == "price":
            result.price_currency = currency
    return result


def looks_like_header(cells: list[str]) -> bool:
    """True when the row names at least the required columns (so it can be the header row)."""
    return not map_headers(cells).missing
