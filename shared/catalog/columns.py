"""Header names as businesses write them (`Price`, `Preço (R$)`, `Precio`, `Prix TTC`, `Harga`,
`कीमत`, `Qty`) mapped to the catalog's canonical columns, through the per-language tables of
shared/i18n/sheet_words (see shared.catalog.words)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.catalog.words import header_language, lexicon, normalise
from shared.money import currency_named

COLUMNS = (
    "sku", "name", "category", "price", "stock", "description", "active", "kind", "slots", "tags",
    "restock_date",
)  # fmt: skip
REQUIRED = ("name", "price")
# Headers that still name the column after their first word: "Price incl VAT", "Preço de venda".
_FIRST_WORD_COLUMNS = ("price", "stock")
_CURRENCY_IN_HEADER = re.compile(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]|\bin\s+([A-Za-z]{3})$")


def normalise_header(header: str) -> tuple[str, str | None]:
    """`" Price (USD) "` -> (`"price"`, `"USD"`); `"Preço R$"` -> (`"preco"`, `"BRL"`)."""
    text = " ".join(header.strip().replace("_", " ").split())
    currency: str | None = None
    match = _CURRENCY_IN_HEADER.search(text)
    if match:
        inner = (match.group(1) or match.group(2) or "").strip()
        currency = currency_named(inner, locale=None)
        text = text[: match.start()].strip()
    head, _, last = text.rpartition(" ")
    if head and not last.isalpha() and (named := currency_named(last, locale=None)):
        currency, text = named, head
    return normalise(text), currency


@dataclass
class HeaderMap:
    """Where each canonical column sits (0-based), plus the currency a price header names."""

    positions: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # column -> the header as the sheet writes it
    price_currency: str | None = None
    unknown: list[str] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown header -> closest known name
    language: str | None = None  # the language most header words are in

    @property
    def missing(self) -> list[str]:
        return [c for c in REQUIRED if c not in self.positions]

    def described_unknown(self) -> list[str]:
        """Unknown headers as a person reads them: `Precco (did you mean Preço?)`."""
        return [
            f"{h} (did you mean {self.suggestions[h]}?)" if h in self.suggestions else h for h in self.unknown
        ]


def map_headers(headers: list[str], *, language: str | None = None) -> HeaderMap:
    """Map a header row; the first header matching a column wins, the rest are listed as unknown
    (with the closest known header name when there is one). `language` breaks ties between
    languages that use the same word for different columns."""
    words = lexicon()
    result = HeaderMap()
    votes: list[list[str]] = []
    for index, header in enumerate(headers):
        name, currency = normalise_header(header)
        column, languages = words.header(name, prefer=language) if name else (None, [])
        if column is None and name:
            first, languages = words.header(name.split()[0], prefer=language)
            column = first if first in _FIRST_WORD_COLUMNS else None
        if column is None or column in result.positions:
            if header.strip():
                result.unknown.append(header.strip())
                suggestion = words.suggest(name) if column is None else None
                if suggestion:
                    result.suggestions[header.strip()] = suggestion
            continue
        votes.append(languages)
        result.positions[column] = index
        result.names[column] = header.strip()
        if column == "price":
            result.price_currency = currency
    result.language = header_language(votes)
    return result


def looks_like_header(cells: list[str]) -> bool:
    """True when the row names at least the required columns (so it can be the header row)."""
    return not map_headers(cells).missing
