"""Catalog retrieval: find what people mean, in any of our languages, with typos.

Every item is indexed by the folded words of its name, category, tags, description and SKU (and
their singular forms), and by the concepts those words name in any language ("vestido", "robe"
and "dress" are one concept), so a word in one language finds an item whose sheet uses another.
A word that matches nothing is looked up among the catalog's words with rapidfuzz (typos:
"lether jaket"). Scores are idf-weighted per field (name > tags > category > description).

The index is pure and in memory; `shared.conversation.catalog_index` keeps one per tenant and
instance. The functions the LLM agent wraps as tools (`search_catalog`, `get_item`,
`list_free_slots`, `business_info`) are at the end of this module.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from shared.conversation.lexicon import (
    DESCRIPTIVE,
    all_plural_rules,
    attribute_words,
    compiled,
    concept_table,
    known_words,
    singulars,
)
from shared.conversation.text import fold, words

FIELD_WEIGHTS = {"name": 3.0, "sku": 3.0, "tags": 2.5, "category": 2.0, "description": 0.8}
RELATED_POOL = 400
FUZZY_MIN = {4: 75.0, 5: 80.0}  # word length -> minimum rapidfuzz ratio (longer words: 80)
_SPLIT = re.compile(
    r"\s*(?:,|&|\+|/|\band\b|\bn\b|\bplus\b|\by\b|\be\b|\bet\b|\bdan\b|\bsama\b|\baur\b|\bor\b|\bo\b"
    r"|\bou\b|\batau\b|\btambien\b|\btambem\b|\baussi\b|\bjuga\b|\bsaath\b|\btbm\b)\s*"
)


@dataclass(frozen=True)
class CatalogItem:
    sku: str
    name: str
    category: str = ""
    price_minor: int | None = None
    currency: str = "USD"
    stock: int | None = None
    status: str = "unknown"  # in_stock | low | out | unknown
    active: bool = True
    kind: str = "product"
    description: str = ""
    tags: tuple[str, ...] = ()
    restock_date: str | None = None
    row: int = 0  # the sheet row: lists keep the shop's own order
    updated_at: datetime | None = None
    days_to_stockout: float | None = None
    forecast_confidence: float | None = None
    stale: bool = False

    @property
    def available(self) -> bool:
        return self.active and self.status in ("in_stock", "low")

    def with_availability(self, data: dict[str, Any]) -> CatalogItem:
        return replace(
            self,
            status=data.get("status") or self.status,
            stock=data.get("stock", self.stock),
            days_to_stockout=data.get("days_to_stockout"),
            forecast_confidence=data.get("confidence"),
            stale=bool(data.get("stale", False)),
        )


def item_from_doc(data: dict[str, Any]) -> CatalogItem | None:
    """A CatalogItem from a `catalog/{sku}` document, or None if it lacks a sku/name."""
    if not data.get("sku") or not data.get("name"):
        return None
    stock = data.get("stock")
    tags = data.get("tags") or ()
    return CatalogItem(
        sku=str(data["sku"]),
        name=str(data["name"]),
        category=str(data.get("category") or ""),
        price_minor=data.get("price_minor") if isinstance(data.get("price_minor"), int) else None,
        currency=str(data.get("currency") or "USD"),
        stock=stock if isinstance(stock, int) else None,
        status=str(data.get("status") or "unknown"),
        active=bool(data.get("active", True)),
        kind=str(data.get("kind") or "product"),
        description=str(data.get("description") or ""),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list | tuple) else (),
        restock_date=str(data["restock_date"]) if data.get("restock_date") else None,
        row=int(data["source_row"]) if isinstance(data.get("source_row"), int) else 0,
        updated_at=data.get("updated_at"),
    )


def concepts_in(text: str) -> set[str]:
    """The concepts named in `text` (any language)."""
    table = concept_table()
    folded = fold(text).replace("-", " ")
    found: set[str] = set()
    if " " in folded:
        for match in table.phrases.finditer(folded):
            found |= table.phrase_concepts[match.group(0)]
    for word in words(folded):
        found |= _word_concepts(word)
    return found


@lru_cache(maxsize=65536)
def _word_concepts(word: str) -> frozenset[str]:
    table = concept_table()
    found: set[str] = set()
    for form in singulars(word, _RULES):
        found |= table.words.get(form, frozenset())
    return frozenset(found)


_RULES = all_plural_rules()
_ALL_STOPWORDS = frozenset().union(
    *(compiled(lang).stopwords for lang in ("en", "es", "pt", "fr", "id", "hi"))
)


def _elided_stopword(word: str, stop: frozenset[str]) -> bool:
    """A pronoun or article elided onto another small word ("j'en", "m'en", "qu'on", "n'y"): no
    product name, though "j'en" is one letter from "jean"."""
    head, apostrophe, tail = word.partition("'")
    return bool(apostrophe) and len(head) <= 2 and (tail in stop or len(tail) <= 1)


def _forms(word: str) -> list[str]:
    return singulars(word, _RULES)


@dataclass(frozen=True)
class Hit:
    item: CatalogItem
    score: float
    coverage: float  # share of the query's content words this item matched
    whole_name: bool  # every word of the item's name is in the query
    strong: bool = False  # a word of its name, tags or SKU matched (not only its description)


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    words: tuple[str, ...]  # the query's content words
    unmatched: tuple[str, ...]  # content words that matched no item at all
    missing_concepts: tuple[str, ...]  # descriptive concepts asked for that no top item has
    category_like: bool  # the words match a category (or tag) shared by several items

    @property
    def items(self) -> list[CatalogItem]:
        return [h.item for h in self.hits]


@dataclass
class CatalogIndex:
    tenant_id: str
    items: dict[str, CatalogItem] = field(default_factory=dict)
    postings: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    concept_postings: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    item_words: dict[str, frozenset[str]] = field(default_factory=dict)
    item_concepts: dict[str, frozenset[str]] = field(default_factory=dict)
    name_words: dict[str, frozenset[str]] = field(default_factory=dict)
    watermark: datetime | None = None
    loaded_at: float = 0.0
    checked_at: float = 0.0
    sheets_stale: bool = False
    catch_up: bool = False  # built from a snapshot, not yet caught up with what changed since
    _vocab: list[str] | None = None

    # -- building ---------------------------------------------------------------------------
    def put(self, item: CatalogItem) -> None:
        sku = item.sku
        if sku in self.items:
            self._drop(sku)
        self.items[sku] = item
        fields = (
            ("name", item.name),
            ("tags", " ".join(item.tags)),
            ("category", item.category),
            ("description", item.description),
        )
        all_words: set[str] = set()
        found: dict[str, float] = {}
        table = concept_table()
        for name, text in (*fields, ("sku", "")):
            weight = FIELD_WEIGHTS[name]
            tokens = [fold(sku)] if name == "sku" else words(text)
            for word in tokens:
                if len(word) < 2 and not word.isdigit():
                    continue
                for form in _forms(word):
                    postings = self.postings[form]
                    if postings.get(sku, 0.0) < weight:
                        postings[sku] = weight
                    all_words.add(form)
                if name != "sku":
                    for concept in _word_concepts(word):
                        if found.get(concept, 0.0) < weight:
                            found[concept] = weight
            if name != "sku" and " " in text:
                for match in table.phrases.finditer(fold(text).replace("-", " ")):
                    for concept in table.phrase_concepts[match.group(0)]:
                        if found.get(concept, 0.0) < weight:
                            found[concept] = weight
        for concept, weight in found.items():
            self.concept_postings[concept][sku] = weight
        self.item_words[sku] = frozenset(all_words)
        self.item_concepts[sku] = frozenset(found)
        name_words = frozenset(w for w in words(item.name) if len(w) > 1 and w not in _ALL_STOPWORDS)
        self.name_words[sku] = name_words or frozenset(words(item.name))
        if item.updated_at and (self.watermark is None or item.updated_at > self.watermark):
            self.watermark = item.updated_at
        self._vocab = None

    def _drop(self, sku: str) -> None:
        for form in self.item_words.get(sku, ()):
            self.postings.get(form, {}).pop(sku, None)
        for concept in self.item_concepts.get(sku, ()):
            self.concept_postings.get(concept, {}).pop(sku, None)

    def vocabulary(self) -> list[str]:
        if self._vocab is None:
            self._vocab = [w for w, p in self.postings.items() if p and len(w) >= 4 and not w.isdigit()]
        return self._vocab

    # -- searching --------------------------------------------------------------------------
    def content_words(self, text: str, lang: str) -> list[str]:
        """The words that may name a product: not stopwords, not words asking about an attribute
        ("colours", "talla", "bahan")."""
        stop = compiled(lang).stopwords | (compiled("en").stopwords if lang in ("hi", "id") else frozenset())
        # Numbers are quantities, sizes or times here, not product names.
        return [
            w
            for w in words(text)
            if ((w not in stop and w not in attribute_words()) or self._names_an_item(w))
            and len(w) > 1
            and not w.isdigit()
            and not _elided_stopword(w, stop)
        ]

    def _names_an_item(self, word: str) -> bool:
        """An attribute word in an item's name ("Couleur" at a salon, "Hair Colour") names that item,
        though elsewhere it asks about an attribute."""
        return word in attribute_words() and any(word in words(i.name) for i in self.items.values())

    def _match_word(self, word: str) -> tuple[dict[str, float], str | None]:
        """(sku -> weight, the catalog word it matched) for one query word, exact or fuzzy."""
        for form in _forms(word):
            postings = self.postings.get(form)
            if postings:
                return postings, form
        if len(word) < 4 or word.isdigit() or word in known_words():
            return {}, None
        cutoff = FUZZY_MIN.get(len(word), 80.0) if len(word) < 6 else 80.0
        best = process.extractOne(word, self.vocabulary(), scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None:
            return {}, None
        similarity = best[1] / 100.0
        return {sku: w * similarity for sku, w in self.postings[best[0]].items()}, best[0]

    def search(
        self, text: str, *, lang: str = "en", k: int = 10, include_inactive: bool = False
    ) -> SearchResult:
        """The items `text` is about, best first."""
        query = list(dict.fromkeys(self.content_words(text, lang)))
        n = max(len(self.items), 1)
        scores: dict[str, float] = defaultdict(float)
        unmatched: list[str] = []
        by_word: dict[str, dict[str, float]] = {}  # query word -> the postings it matched
        for word in query:
            postings, _ = self._match_word(word)
            if not postings:
                unmatched.append(word)
                continue
            by_word[word] = postings
            idf = math.log(1 + n / len(postings))
            for sku, weight in postings.items():
                scores[sku] += idf * weight
        asked_concepts = concepts_in(text)
        by_concept: dict[str, tuple[dict[str, float], list[str]]] = {}
        credited: dict[str, set[str]] = {}
        for concept in asked_concepts:
            found = self.concept_postings.get(concept)
            if not found:
                continue
            postings = found
            concept_words = [w for w in query if concept in _word_concepts(w)]
            by_concept[concept] = (postings, concept_words)
            idf = math.log(1 + n / len(postings)) * 0.9
            literal = [by_word[w] for w in concept_words if w in by_word]
            for sku, weight in postings.items():
                if literal and all(sku in p for p in literal):
                    continue  # the word itself matched already
                done = credited.get(sku)
                if done is not None and concept_words and done.issuperset(concept_words):
                    continue  # one word counts once, even when it names two concepts
                scores[sku] += idf * weight
                credited.setdefault(sku, set()).update(concept_words)
        content = max(len(query), 1)
        query_set = set(query) | {form for w in query for form in _forms(w)}
        hits = []
        # Only the best raw scores are worth the finer ranking (a common word can score thousands).
        shortlist = heapq.nlargest(max(k * 4, 200), scores.items(), key=lambda kv: kv[1])
        for sku, score in shortlist:
            item = self.items[sku]
            if not item.active and not include_inactive:
                continue
            matched = {w for w, p in by_word.items() if sku in p}
            strong = any(p.get(sku, 0.0) >= FIELD_WEIGHTS["tags"] * 0.8 for p in by_word.values())
            for concept, (concept_postings, concept_words) in by_concept.items():
                found_weight = concept_postings.get(sku)
                if found_weight is None:
                    continue
                matched |= set(concept_words) or {concept}
                strong = strong or (found_weight >= FIELD_WEIGHTS["category"] and concept not in DESCRIPTIVE)
            name = self.name_words[sku]
            whole = bool(name) and name <= query_set
            coverage = min(len(matched) / content, 1.0)
            bonus = (2.0 if whole else 0.0) + 1.5 * coverage
            hits.append(Hit(item, score + bonus, coverage, whole, strong))
        hits.sort(key=lambda h: (-h.score, h.item.name, h.item.sku))
        top = hits[: max(k, 1)]
        missing = self._missing(asked_concepts, top)
        # Words of the chat lexicon ("qto", "dispo", "kitne") ask, they name no product.
        unmatched = [w for w in unmatched if not (concepts_in(w) & set(missing)) and w not in known_words()]
        return SearchResult(
            tuple(top), tuple(query), tuple(unmatched), missing, self._category_like(query, top)
        )

    def _missing(self, asked: set[str], top: Sequence[Hit]) -> tuple[str, ...]:
        """Descriptive concepts asked for ("suede", "black") that none of the hits has."""
        out = []
        for concept in sorted(asked & DESCRIPTIVE):
            postings = self.concept_postings.get(concept, {})
            if not any(h.item.sku in postings for h in top):
                out.append(concept)
        return tuple(out)

    def _category_like(self, query: Sequence[str], top: Sequence[Hit]) -> bool:
        """Several items share the best score's words through their category or tags."""
        if len(top) < 2:
            return False
        best = top[0]
        if best.whole_name and not any(h.whole_name for h in top[1:]):
            return False
        close = [h for h in top if h.score >= best.score * 0.8]
        return len(close) >= 2

    def related(
        self, item: CatalogItem | None, *, exclude: Iterable[str] = (), k: int = 3
    ) -> list[CatalogItem]:
        """In-stock items close to `item`: same category first, shared words, nearest price."""
        skip = set(exclude) | ({item.sku} if item else set())
        if item is None:
            return self.popular(k, exclude=skip)
        wanted = self.item_words.get(item.sku, frozenset()) - {fold(item.sku)}
        # The rarest words of the item first: a few hundred candidates at most, whatever the size.
        candidates: set[str] = set()
        for form in sorted(wanted, key=lambda w: len(self.postings.get(w, ()))):
            candidates.update(self.postings.get(form, {}))
            if len(candidates) >= RELATED_POOL:
                break
        if len(candidates) < RELATED_POOL:
            for concept in self.item_concepts.get(item.sku, ()):
                if concept not in DESCRIPTIVE:
                    candidates.update(list(self.concept_postings.get(concept, {}))[:RELATED_POOL])
        pool = [self.items[s] for s in candidates if s not in skip and self.items[s].available]

        def rank(other: CatalogItem) -> tuple[int, int, int, str]:
            same = int(bool(item.category) and other.category == item.category)
            overlap = len(wanted & self.item_words.get(other.sku, frozenset()))
            gap = abs((other.price_minor or 0) - (item.price_minor or 0))
            return (-same, -overlap, gap, other.sku)

        return sorted(pool, key=rank)[:k]

    def popular(self, k: int = 3, *, exclude: Iterable[str] = ()) -> list[CatalogItem]:
        """Some in-stock items to offer when nothing matched (highest stock first)."""
        skip = set(exclude)
        pool = (i for i in self.items.values() if i.available and i.sku not in skip)
        return heapq.nsmallest(k, pool, key=lambda i: (-(i.stock or 0), i.sku))

    def services(self, k: int = 10) -> list[CatalogItem]:
        return sorted(
            (i for i in self.items.values() if i.kind == "service" and i.active), key=lambda i: i.name
        )[:k]

    def in_category(self, category: str) -> list[CatalogItem]:
        key = fold(category)
        return [i for i in self.items.values() if i.active and fold(i.category) == key]

    def has_concept(self, sku: str, concept: str) -> bool:
        return concept in self.item_concepts.get(sku, frozenset())


def build_index(tenant_id: str, items: Iterable[CatalogItem]) -> CatalogIndex:
    index = CatalogIndex(tenant_id)
    for item in items:
        index.put(item)
    return index


def split_segments(text: str) -> list[str]:
    """ "the hoodie and the beanie" -> ["the hoodie", "the beanie"] (conjunctions of our languages)."""
    parts = [p for p in _SPLIT.split(fold(text)) if p and p.strip()]
    return parts


# -- functions the LLM agent wraps as tools ----------------------------------------------------


def search_catalog(
    tenant_id_or_index: str | CatalogIndex,
    query: str,
    *,
    max_price_minor: int | None = None,
    category: str | None = None,
    limit: int = 5,
    language: str | None = None,
) -> list[CatalogItem]:
    """Items matching `query` (any language, typos tolerated), cheapest-first filters applied."""
    index = _index(tenant_id_or_index)
    result = index.search(query, lang=language or "en", k=max(limit * 4, 20))
    items = result.items if result.words else list(index.items.values())
    if category:
        key = fold(category)
        items = [i for i in items if fold(i.category) == key or key in {fold(t) for t in i.tags}]
    if max_price_minor is not None:
        items = [i for i in items if i.price_minor is not None and i.price_minor <= max_price_minor]
    return items[:limit]


def get_item(tenant_id_or_index: str | CatalogIndex, sku: str) -> CatalogItem | None:
    """One item, re-read live when given a tenant id (prices and stock as of now)."""
    if isinstance(tenant_id_or_index, CatalogIndex):
        return tenant_id_or_index.items.get(sku)
    from shared.conversation.catalog_index import live_items

    found = live_items(tenant_id_or_index, [sku])
    return found[0] if found else None


def list_free_slots(tenant_id: str, sku: str, day: date | None = None, *, now: datetime) -> list[Any]:
    """Free future slots of the service `sku` (on `day` when given), soonest first."""
    from shared.conversation.catalog_index import free_slots

    slots = free_slots(tenant_id, [sku], now=now)
    return [s for s in slots if day is None or s.date == day.isoformat()]


def business_info(tenant_id: str, topic: str, language: str | None = None) -> str | None:
    """The Info tab's answer for `topic` (matched in any of our languages), verbatim, or None."""
    from shared.conversation.catalog_index import info_entries
    from shared.conversation.info import match_topic

    entry = match_topic(topic, info_entries(tenant_id), language or "en")
    return entry.answer if entry else None


def _index(value: str | CatalogIndex) -> CatalogIndex:
    if isinstance(value, CatalogIndex):
        return value
    from shared.conversation.catalog_index import catalog_index

    return catalog_index(value)
