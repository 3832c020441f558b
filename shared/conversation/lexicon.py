"""The chat lexicon compiled for matching: phrases folded, one regex per intent and language.

The words live in `shared/i18n/messages/<lang>.json` (data, one file per language); this module
only turns them into matchers. A phrase ending in `*` matches any word starting with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shared.conversation.text import fold
from shared.i18n.catalog import LANGUAGES, concepts, lexicon


def _alternation(phrases: list[str]) -> str:
    parts = []
    for phrase in sorted({fold(p) for p in phrases}, key=len, reverse=True):
        if not phrase:
            continue
        if phrase.endswith("*"):
            parts.append(re.escape(phrase[:-1]) + r"[\w']*")
        else:
            parts.append(re.escape(phrase))
    return "|".join(parts) or r"(?!x)x"


def phrase_regex(phrases: list[str]) -> re.Pattern[str]:
    """Whole-word (or whole-phrase) matches of any of `phrases` in folded text."""
    return re.compile(rf"(?<![\w'])(?:{_alternation(phrases)})(?![\w'])")


@dataclass(frozen=True)
class Lexicon:
    lang: str
    intents: dict[str, re.Pattern[str]]
    markers: frozenset[str]
    numbers: dict[str, int]
    numbers_re: re.Pattern[str]
    weekdays: dict[str, int]
    weekdays_re: re.Pattern[str]
    relative_days: dict[str, int]
    relative_re: re.Pattern[str]
    dayparts: dict[str, int]
    dayparts_re: re.Pattern[str]
    time_markers: frozenset[str]
    price: dict[str, re.Pattern[str]]
    attributes: dict[str, re.Pattern[str]]
    references: dict[str, re.Pattern[str]]
    info_topics: dict[str, re.Pattern[str]]
    info_words: dict[str, frozenset[str]]
    stopwords: frozenset[str]
    plural_rules: tuple[tuple[str, str], ...]


def _folded_map(data: dict[str, Any]) -> dict[str, int]:
    return {fold(k): int(v) for k, v in data.items()}


@lru_cache(maxsize=len(LANGUAGES))
def compiled(lang: str) -> Lexicon:
    raw = lexicon(lang)
    numbers = _folded_map(raw["numbers"])
    weekdays = _folded_map(raw["weekdays"])
    relative = _folded_map(raw["relative_days"])
    dayparts = _folded_map(raw["dayparts"])
    return Lexicon(
        lang=lang,
        intents={k: phrase_regex(v) for k, v in raw["intents"].items()},
        markers=frozenset(fold(w) for w in raw["markers"]),
        numbers=numbers,
        numbers_re=phrase_regex(list(numbers)),
        weekdays=weekdays,
        weekdays_re=phrase_regex(list(weekdays)),
        relative_days=relative,
        relative_re=phrase_regex(list(relative)),
        dayparts=dayparts,
        dayparts_re=phrase_regex(list(dayparts)),
        time_markers=frozenset(fold(w) for w in raw["time_markers"]),
        price={k: phrase_regex(v) for k, v in raw["price"].items()},
        attributes={k: phrase_regex(v) for k, v in raw["attributes"].items()},
        references={k: phrase_regex(v) for k, v in raw["references"].items()},
        info_topics={k: phrase_regex(v) for k, v in raw["info_topics"].items()},
        info_words={
            k: frozenset(w for p in v for w in fold(p).split()) for k, v in raw["info_topics"].items()
        },
        stopwords=frozenset(fold(w) for w in raw["stopwords"]),
        plural_rules=tuple((fold(a), fold(b)) for a, b in raw["plural_rules"]),
    )


def all_plural_rules() -> tuple[tuple[str, str], ...]:
    rules: list[tuple[str, str]] = []
    for lang in LANGUAGES:
        for rule in compiled(lang).plural_rules:
            if rule not in rules:
                rules.append(rule)
    return tuple(rules)


@lru_cache(maxsize=65536)
def singulars(word: str, rules: tuple[tuple[str, str], ...]) -> list[str]:
    """`word` and the singular forms the plural rules give ("jackets" -> "jacket")."""
    out = [word]
    if len(word) <= 3 or not word.isalpha():
        return out
    for suffix, replacement in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: len(word) - len(suffix)] + replacement
            if stem not in out:
                out.append(stem)
    return out


@dataclass(frozen=True)
class ConceptTable:
    """Concept words in every language: single words and multi-word phrases, folded."""

    words: dict[str, frozenset[str]]  # word -> concepts
    phrases: re.Pattern[str]
    phrase_concepts: dict[str, frozenset[str]]
    names: dict[str, dict[str, str]]  # concept -> lang -> the word to show


@lru_cache(maxsize=1)
def concept_table() -> ConceptTable:
    words: dict[str, set[str]] = {}
    phrases: dict[str, set[str]] = {}
    names: dict[str, dict[str, str]] = {}
    rules = all_plural_rules()
    for concept, by_lang in concepts().items():
        names[concept] = {lang: ws[0] for lang, ws in by_lang.items() if ws}
        for lang, ws in by_lang.items():
            stop = compiled(lang).stopwords if lang in LANGUAGES else frozenset()
            for w in ws:
                folded = fold(w).replace("-", " ")
                if len(folded) < 2 or folded in stop:
                    continue
                if " " in folded:
                    phrases.setdefault(folded, set()).add(concept)
                else:
                    for form in singulars(folded, rules):
                        words.setdefault(form, set()).add(concept)
    return ConceptTable(
        words={k: frozenset(v) for k, v in words.items()},
        phrases=phrase_regex(list(phrases)),
        phrase_concepts={k: frozenset(v) for k, v in phrases.items()},
        names=names,
    )


# Concepts that describe an item (colour, material, diet, size) rather than name what it is.
COLOURS = frozenset(
    [
        "black",
        "white",
        "red",
        "blue",
        "green",
        "yellow",
        "pink",
        "grey",
        "brown",
        "beige",
        "purple",
        "orange",
        "gold",
        "silver",
    ]
)
MATERIALS = frozenset(["leather", "suede", "cotton", "linen", "silk", "wool", "denim", "polyester"])
DIETS = frozenset(["vegan", "vegetarian", "glutenfree", "eggless", "spicy", "sugarfree", "halal"])
SIZES = frozenset(["small", "medium", "large", "xl"])
DESCRIPTIVE = COLOURS | MATERIALS | DIETS | SIZES


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Every word of every language's chat lexicon: never fuzzy-matched to a product
    ("address" is not a misspelt "dress")."""
    out: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str):
            out.update(fold(value).replace("*", "").split())
        elif isinstance(value, dict):
            for key, inner in value.items():
                add(key) if not isinstance(inner, (list, dict)) else None
                add(inner)
        elif isinstance(value, list):
            for inner in value:
                add(inner)

    for lang in LANGUAGES:
        raw = lexicon(lang)
        for section in (
            "intents",
            "markers",
            "numbers",
            "weekdays",
            "relative_days",
            "dayparts",
            "price",
            "attributes",
            "references",
            "info_topics",
            "stopwords",
        ):
            add(raw[section])
    return frozenset(w for w in out if len(w) > 1)


@lru_cache(maxsize=1)
def attribute_words() -> frozenset[str]:
    """Words that ask about an attribute in any language ("colours", "talla", "ukuran"), minus the
    words that name a value (a colour, a material): these never name a product."""
    values = concept_table().words
    out: set[str] = set()
    for lang in LANGUAGES:
        for name, phrases in lexicon(lang)["attributes"].items():
            if name == "price":
                continue
            for phrase in phrases:
                folded = fold(phrase)
                if " " not in folded and folded not in values:
                    out.add(folded)
    return frozenset(out)
