"""The words shops write in their sheets, per language, from the data tables in
`shared/i18n/sheet_words/<lang>.json` (en, es, pt, fr, id, hi): header names, yes/no, stock
phrasings, service/product, weekdays, today/tomorrow, the Info tab's names and topics.

Every table is searched in every language (a Brazilian sheet may say `SKU` and `Stock`); the
shop's own language only breaks ties. Words are compared after `normalise`: case-folded, Latin
accents dropped (`Preço` = `preco`), punctuation as spaces, so the tables list each word once
with its accents and the reader also accepts it without.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

LANGUAGES = ("en", "es", "pt", "fr", "id", "hi")
WORDS_DIR = Path(__file__).resolve().parents[1] / "i18n" / "sheet_words"
SUGGEST_MIN_SCORE = 75.0
_LOOSE_DOT = re.compile(r"[.,](?!\d)|(?<![\d])[.,]")


def normalise(text: str) -> str:
    """`" Preço  (R$) "` -> `"preco r$"`-like keys: case-folded, Latin accents dropped,
    punctuation other than `$ / ' + ~ -` (and `.`, `,` inside numbers) as spaces. Devanagari
    keeps its vowel signs."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch) and out and out[-1] < "\u0250":
            continue  # an accent on a Latin letter
        out.append(ch)
    text = unicodedata.normalize("NFC", "".join(out))
    text = "".join(ch if _keep(ch) else " " for ch in text)
    text = _LOOSE_DOT.sub(" ", text)  # "Qtd." = "qtd"; "1.000" and "1,5" keep theirs
    return " ".join(text.split())


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM" or ch in "$/'+~-.,✓✔✗"


def _singular(word: str) -> str | None:
    """`precios` -> `precio`, `preços` -> `preço`: a plural header read as its singular."""
    for ending in ("es", "s"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return None


@lru_cache(maxsize=len(LANGUAGES))
def table(language: str) -> dict[str, Any]:
    """The raw data table of one language."""
    data: dict[str, Any] = json.loads((WORDS_DIR / f"{language}.json").read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Phrase:
    """One entry of a word list: the normalised key, as written in the table, and its language."""

    key: str
    display: str
    language: str


@dataclass
class Lexicon:
    """Every language's words, indexed for lookup."""

    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {language: column}
    header_display: dict[str, str] = field(default_factory=dict)
    words: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # list name -> key -> languages
    weekdays: dict[str, dict[str, int]] = field(default_factory=dict)  # key -> {language: 0..6}
    count_patterns: list[re.Pattern[str]] = field(default_factory=list)
    info_headers: dict[str, str] = field(default_factory=dict)  # key -> topic|answer
    info_topics: list[tuple[str, str]] = field(default_factory=list)  # (key, kind), longest first

    def header(self, text: str, *, prefer: str | None = None) -> tuple[str | None, list[str]]:
        """The canonical column a header names, and the languages that use that word."""
        key = normalise(text)
        found = self.headers.get(key)
        if found is None and (singular := _singular(key)) is not None:
            found = self.headers.get(singular)
        if not found:
            return None, []
        column = found.get(prefer or "", next(iter(found.values())))
        return column, [lang for lang, col in found.items() if col == column]

    def suggest(self, text: str) -> str | None:
        """The known header closest to `text` ("Precco" -> "Preço"), or None when none is close."""
        key = normalise(text)
        if not key:
            return None
        best = process.extractOne(key, list(self.header_display), scorer=fuzz.ratio)
        if best is None or best[1] < SUGGEST_MIN_SCORE:
            return None
        return self.header_display[best[0]]

    def has(self, name: str, text: str) -> bool:
        """Whether `text` is one of the words of list `name` (yes, no, out_of_stock, ...)."""
        return normalise(text) in self.words.get(name, {})

    def weekday(self, text: str, *, prefer: str | None = None) -> int | None:
        """0 for Monday ... 6 for Sunday, from a weekday name or abbreviation in any language."""
        found = self.weekdays.get(normalise(text).rstrip("."))
        if not found:
            return None
        return found.get(prefer or "", next(iter(found.values())))

    def count(self, text: str) -> str | None:
        """The number in a stock phrase ("restam 5", "5 left", "quedan 5"), as written."""
        key = normalise(text)
        for pattern in self.count_patterns:
            match = pattern.fullmatch(key)
            if match:
                return match.group("n")
        return None

    def info_kind(self, topic: str) -> str:
        """What an Info topic is about (hours, address, delivery, returns, payment, contact), or
        `other`: the longest known phrase found in it wins."""
        key = f" {normalise(topic)} "
        for phrase, kind in self.info_topics:
            if f" {phrase} " in key:
                return kind
        return "other"


_WORD_LISTS = (
    "yes",
    "no",
    "in_stock",
    "out_of_stock",
    "service",
    "product",
    "today",
    "tomorrow",
    "info_tabs",
)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """All six tables merged (built once per instance)."""
    lex = Lexicon()
    counts: list[str] = []
    topics: dict[str, str] = {}
    for language in LANGUAGES:
        data = table(language)
        for column, aliases in data["headers"].items():
            for alias in aliases:
                key = normalise(alias)
                lex.headers.setdefault(key, {})[language] = column
                lex.header_display.setdefault(key, alias[:1].upper() + alias[1:])
        for name in _WORD_LISTS:
            for word in data.get(name, []):
                lex.words.setdefault(name, {}).setdefault(normalise(word), set()).add(language)
        for index, names in enumerate(data["weekdays"]):
            for word in names:
                lex.weekdays.setdefault(normalise(word), {})[language] = index
        counts.extend([*data["count_phrases"], "{n}"])
        for kind, names in data["info_headers"].items():
            for word in names:
                lex.info_headers.setdefault(normalise(word), kind)
        for kind, phrases in data["info_topics"].items():
            for phrase in phrases:
                topics.setdefault(normalise(phrase), kind)
    number = r"(?P<n>[0-9][0-9 .,']*)"
    for phrase in sorted(set(counts), key=len, reverse=True):
        # Normalised like the cells, with the {n} slot kept out of the normalisation.
        before, _, after = phrase.partition("{n}")
        pattern = re.escape(normalise(before)) + r"\s*" + number + r"\s*" + re.escape(normalise(after))
        lex.count_patterns.append(re.compile(pattern.strip()))
    lex.info_topics = sorted(topics.items(), key=lambda kv: len(kv[0]), reverse=True)
    return lex


def header_language(languages: list[list[str]]) -> str | None:
    """The language most header words belong to (a word shared by several counts for each a part),
    or None when nothing was recognised. English wins ties: `SKU | Stock` is English, `SKU |
    Stock | Precio` Spanish."""
    votes: dict[str, float] = {}
    for langs in languages:
        for lang in langs:
            votes[lang] = votes.get(lang, 0.0) + 1 / len(langs)
    if not votes:
        return None
    best = max(votes.values())
    winners = [lang for lang in LANGUAGES if votes.get(lang, 0) >= best - 1e-9]
    return "en" if "en" in winners else winners[0]


def locale_for(language: str, currency: str | None = None) -> str:
    """The locale a sheet in `language` most likely uses (`pt` + BRL -> pt-BR, `es` + EUR -> es-ES)."""
    data = table(language if language in LANGUAGES else "en")
    by_currency: dict[str, str] = data.get("locales_by_currency", {})
    return by_currency.get((currency or "").upper()) or str(data["default_locale"])


def language_of(locale: str | None) -> str:
    """The sheet-words language of a BCP 47 locale (`pt-BR` -> `pt`; unknown -> `en`)."""
    language = (locale or "en").replace("_", "-").split("-")[0].lower()
    return language if language in LANGUAGES else "en"
