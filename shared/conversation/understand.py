"""understand(text, state, catalog, clock) -> Understanding: what the customer means.

Pure: the catalog index, the dialogue state, the Info tab and the clock are arguments. The
message is read in its own language plus English (customers mix it into every language), and
against the dialogue state: "yes" answers the pending question, "it" / "the second" / "both" /
"the leather one" are the items last discussed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from shared.conversation.entities import Amount, PriceFilter, When, amounts, price_filter, quantity, when
from shared.conversation.facts import InfoEntry
from shared.conversation.info import asked_topics, match_topic
from shared.conversation.language import detect
from shared.conversation.lexicon import (
    COLOURS,
    DESCRIPTIVE,
    DIETS,
    MATERIALS,
    SIZES,
    Lexicon,
    compiled,
    concept_table,
)
from shared.conversation.retrieval import CatalogIndex, SearchResult, concepts_in, split_segments
from shared.conversation.state import DialogueState
from shared.conversation.text import fold, words

_POLICY_TOPICS = frozenset(
    {"hours", "address", "late_arrival", "parking", "payment", "delivery", "returns", "wifi", "accessibility",
     "invoice", "contact"}
)  # fmt: skip
_ASKING = frozenset(
    {"product", "availability", "stock", "restock", "have", "order", "booking", "notify", "done"}
)
MEDIA = frozenset({"image", "audio", "video", "document", "sticker", "location", "contacts", "unsupported"})
LIST_LIMIT = 50
# The attribute a descriptive word asks about ("black" -> color), from the lexicon's word sets.
_ATTRIBUTE_OF = (
    dict.fromkeys(COLOURS, "color")
    | dict.fromkeys(MATERIALS, "material")
    | dict.fromkeys(DIETS, "ingredients")
    | dict.fromkeys(SIZES, "size")
)


@dataclass(frozen=True)
class Understanding:
    text: str
    language: str
    intent: str
    items: tuple[str, ...] = ()  # SKUs the message is about, best first
    item_source: str = "none"  # name | search | reference | category | payload | none
    listing: bool = False  # a list was asked for (category, budget, "what do you have")
    candidates: tuple[str, ...] = ()  # every matching SKU for a listing, best first
    missing: tuple[str, ...] = ()  # descriptive concepts asked for that no item has ("suede")
    unmatched: tuple[str, ...] = ()  # content words that matched nothing in the catalog
    quantity: int | None = None
    item_quantities: tuple[tuple[str, int], ...] = ()  # each item's own number ("2 hoodies and a beanie")
    max_price_minor: int | None = None
    min_price_minor: int | None = None
    sort: str | None = None
    attribute: str | None = None
    attribute_value: str | None = None  # a concept ("black", "cotton")
    date: date | None = None
    time: str | None = None
    yes_no: str | None = None  # "yes" | "no"
    info_topic: str | None = None  # the Info tab row's topic_id
    info_asked: tuple[str, ...] = ()  # canonical topics named (hours, delivery…)
    payload: str | None = None
    rating: int | None = None
    question: bool = False
    attribute_asked: bool = False  # an attribute word was said ("colour", "talla"), not only a value
    signals: frozenset[str] = field(default_factory=frozenset)  # intent words found


def understand(
    text: str,
    state: DialogueState,
    catalog: CatalogIndex,
    now: datetime,
    *,
    info: Sequence[InfoEntry] = (),
    default_language: str = "en",
    currency: str = "USD",
    payload: str | None = None,
    message_type: str = "text",
) -> Understanding:
    """What `text` (one message, or a burst joined by newlines) means in this conversation."""
    product_words = {w for w in words(text) if w in catalog.postings and len(catalog.postings[w]) < 50}
    lang = detect(text, current=state.language, default=default_language, ignore=product_words)
    folded = fold(text)
    lexes = [compiled(lang)] + ([compiled("en")] if lang != "en" else [])
    if payload:
        return _from_payload(text, lang, payload, state)
    if message_type in MEDIA and not text.strip():
        return Understanding(text, lang, "media")
    signals = frozenset(
        name for lex in lexes for name, pattern in lex.intents.items() if pattern.search(folded)
    )
    n_words = len(words(text))
    question = "?" in text
    budget = price_filter(folded, lexes, currency)
    moment = when(folded, lexes, now)
    amount_spans = [
        (a.start, a.end) for a in amounts(folded, currency) if a.has_currency or _governed(a, budget)
    ]
    skip = list(moment.spans) + amount_spans
    count = quantity(folded, lexes, skip)
    # Amounts, days and times are not product words: "100" must not find "100% cotton".
    search_text = _blank(folded, skip)
    attribute = _attribute(folded, lexes)
    attribute_asked = attribute is not None and attribute != "price"
    yes_no = _yes_no(signals, n_words)
    result = catalog.search(search_text, lang=lang, k=LIST_LIMIT)
    items, source = _explicit_items(search_text, lang, catalog, result)
    descriptive = sorted(concepts_in(search_text) & DESCRIPTIVE)
    # A colour or material that is part of the item's name names it ("jaket kulit"), asks nothing.
    named = set().union(*(concepts_in(catalog.items[s].name) for s in items[:3])) if items else set()
    asked_values = [c for c in descriptive if c not in named or source != "name"]
    asks = question or attribute is not None or count is not None or bool(signals & _ASKING)
    reference, selected = _reference(folded, lexes, state, catalog, descriptive, items, result, asks, signals)
    if reference is not None:
        items, source = reference, "reference"
    value = None
    if asked_values and not selected and asks and source in ("reference", "name", "search"):
        value = next((c for c in asked_values if c not in named), None)
    if attribute is None and value is not None:
        attribute = _ATTRIBUTE_OF.get(value)
    if (
        source not in ("name", "reference")
        and attribute in _ATTRIBUTE_OF.values()
        and result.missing_concepts
    ):
        attribute = None  # "got any suede jackets?": a listing that says we have no suede
    listing = _listing(signals, budget.max_minor, budget.min_minor, budget.sort, result, source, items)
    if result.missing_concepts and source == "search" and not attribute:
        listing = True
    # "any gluten free stuff?", "vous avez du sans gluten ?": a list of what has it
    named_in_full = bool(result.hits) and result.hits[0].whole_name
    if descriptive and source == "search" and signals & {"have", "browse"} and not named_in_full:
        listing, attribute, value = True, None, None
    per_item = _item_quantities(search_text, lang, lexes, catalog, items) if source == "name" else ()
    candidates: tuple[str, ...] = ()
    if listing:
        priced = budget.sort is not None or budget.max_minor is not None or budget.min_minor is not None
        candidates = _candidates(result, catalog, descriptive, priced=priced)
        items, source = list(candidates[:10]), "category"
    entry = match_topic(text, info, lang) if info else None
    info_asked = tuple(sorted(asked_topics(text, lang)))
    base = Understanding(
        text=text,
        language=lang,
        intent="unknown",
        items=tuple(items),
        item_source=source,
        listing=listing,
        candidates=candidates,
        missing=result.missing_concepts if source != "reference" else (),
        unmatched=result.unmatched,
        quantity=count,
        item_quantities=per_item if not listing else (),
        max_price_minor=budget.max_minor,
        min_price_minor=budget.min_minor,
        sort=budget.sort,
        attribute=attribute,
        attribute_value=value,
        date=moment.day,
        time=moment.time,
        yes_no=yes_no,
        info_topic=entry.topic_id if entry else None,
        info_asked=info_asked,
        question=question,
        attribute_asked=attribute_asked,
        signals=signals,
    )
    intent = _intent(base, state, moment, n_words, catalog, result)
    return _replace(base, intent=intent)


def _replace(u: Understanding, **changes: object) -> Understanding:
    from dataclasses import replace

    return replace(u, **changes)  # type: ignore[arg-type]


def _governed(amount: Amount, budget: PriceFilter) -> bool:
    return amount.minor in (budget.max_minor, budget.min_minor)


def _blank(folded: str, spans: list[tuple[int, int]]) -> str:
    chars = list(folded)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


def _from_payload(text: str, lang: str, payload: str, state: DialogueState) -> Understanding:
    kind, _, value = payload.partition(":")
    if kind == "rate":
        rating = int(value) if value.isdigit() and 1 <= int(value) <= 5 else None
        return Understanding(text, lang, "rating", payload=payload, rating=rating)
    if kind == "notify":
        return Understanding(text, lang, "notify", items=(value,), item_source="payload", payload=payload)
    if kind == "slot":
        return Understanding(text, lang, "booking", payload=payload, item_source="payload")
    if kind == "item":
        return Understanding(text, lang, "product", items=(value,), item_source="payload", payload=payload)
    if kind == "order":
        intent = "confirm" if value == "place" else "deny"
        return Understanding(text, lang, intent, yes_no="yes" if value == "place" else "no", payload=payload)
    if kind == "human":
        return Understanding(text, lang, "human", payload=payload)
    return Understanding(text, lang, "unknown", payload=payload)


def _attribute(folded: str, lexes: list[Lexicon]) -> str | None:
    """The attribute asked about, from attribute nouns ("colour", "talla", "bahan"); a material or
    colour word alone ("leather") names a value, not a question."""
    values = concept_table().words
    best: tuple[int, str] | None = None
    for lex in lexes:
        for name, pattern in lex.attributes.items():
            for match in pattern.finditer(folded):
                if match.group(0) in values:
                    continue
                if best is None or match.start() < best[0]:
                    best = (match.start(), name)
                break
    return best[1] if best else None


def _yes_no(signals: frozenset[str], n_words: int) -> str | None:
    if n_words > 6:
        return None
    if "deny" in signals:
        return "no"
    if "confirm" in signals:
        return "yes"
    return None


def _explicit_items(
    text: str, lang: str, catalog: CatalogIndex, result: SearchResult
) -> tuple[list[str], str]:
    """Items named in the message: several at once ("the hoodie and the beanie"), or the best."""
    hits = result.hits
    if not hits:
        return [], "none"
    segments = split_segments(text)
    if len(segments) >= 2:
        found: list[str] = []
        for segment in segments:
            sub = catalog.search(segment, lang=lang, k=3)
            if not sub.hits:
                continue
            top = sub.hits[0]
            clear = len(sub.hits) < 2 or sub.hits[1].score < top.score * 0.9 or top.whole_name
            if (top.whole_name or top.coverage >= 0.99 or top.strong) and clear:
                found.append(top.item.sku)
        if len(set(found)) >= 2:
            return list(dict.fromkeys(found)), "name"
    best = hits[0]
    wholes = [h for h in hits if h.whole_name]
    if wholes:
        longest = max(len(catalog.name_words[h.item.sku]) for h in wholes)
        named = [h.item.sku for h in wholes if len(catalog.name_words[h.item.sku]) == longest]
        return named[:3], "name"
    if best.coverage < 0.5 and not best.strong and not (best.coverage > 0 and len(result.words) <= 2):
        return [], "none"
    close = [h.item.sku for h in hits if h.score >= best.score * 0.85]
    return close[:5], "search"


def _item_quantities(
    search_text: str, lang: str, lexes: list[Lexicon], catalog: CatalogIndex, items: list[str]
) -> tuple[tuple[str, int], ...]:
    """Each named item with the number said next to it ("2 hoodies and a beanie": 2 and 1), when
    the message names several items and gives at least one its own number; else ()."""
    if len(items) < 2:
        return ()
    said: dict[str, int] = {}
    for segment in split_segments(search_text):
        sub = catalog.search(segment, lang=lang, k=1)
        n = quantity(segment, lexes, [])
        if sub.hits and sub.hits[0].item.sku in items and n is not None:
            said.setdefault(sub.hits[0].item.sku, n)
    return tuple((sku, said.get(sku, 1)) for sku in items) if said else ()


def _reference(
    folded: str,
    lexes: list[Lexicon],
    state: DialogueState,
    catalog: CatalogIndex,
    descriptive: list[str],
    items: list[str],
    result: SearchResult,
    asks: bool,
    signals: frozenset[str],
) -> tuple[list[str] | None, bool]:
    """(the items last discussed that the message points at or None, chosen by a description?)."""
    recent = [s for s in state.items if s in catalog.items]
    if not recent:
        return None, False
    refs = {name for lex in lexes for name, pattern in lex.references.items() if pattern.search(folded)}
    ordinal = {"first": 0, "second": 1, "third": 2}
    for name, position in ordinal.items():
        if name in refs and position < len(recent):
            return [recent[position]], False
    if "last" in refs and len(recent) >= 2 and not items:
        return [recent[-1]], False
    if "both" in refs and len(recent) >= 2 and not items:
        return (recent[:2] if len(recent) == 2 or "both" in folded else recent), False
    if descriptive and not all(catalog.has_concept(recent[0], c) for c in descriptive):
        chosen = [s for s in recent if all(catalog.has_concept(s, c) for c in descriptive)]
        if chosen and len(chosen) < len(recent):
            return chosen, True  # "the leather one"
    # "is it real leather?", "in dusty pink, size M?": a colour, size or material asked of the
    # item just discussed, which is among the best matches and is not outnamed by another item.
    top = [h for h in result.hits if h.score >= result.hits[0].score - 1e-9] if result.hits else []
    if (
        descriptive
        and asks
        and "browse" not in signals
        and recent[0] in {h.item.sku for h in top}
        and not any(h.whole_name for h in top)
    ):
        return recent[:1], False
    strong = bool(items) and result.hits and (result.hits[0].whole_name or result.hits[0].coverage >= 0.99)
    non_descriptive_words = [w for w in result.words if not (concepts_in(w) & DESCRIPTIVE)]
    if strong and non_descriptive_words:
        return None, False
    if refs or not non_descriptive_words:
        return recent[:1], False
    if not items and not result.unmatched and asks:
        return recent[:1], False  # "how much?", "in black?": about the item just discussed
    return None, False


def _listing(
    signals: frozenset[str],
    max_minor: int | None,
    min_minor: int | None,
    sort: str | None,
    result: SearchResult,
    source: str,
    items: list[str],
) -> bool:
    if source == "reference" and max_minor is None and min_minor is None and sort is None:
        return False
    few = source in ("reference", "name") and len(items) <= 3 and max_minor is None and min_minor is None
    if few and not (source == "name" and result.category_like and "browse" in signals):
        return False
    if max_minor is not None or min_minor is not None or sort is not None:
        return True
    if "browse" in signals and (result.hits or not result.words):
        return True
    return source == "search" and result.category_like and len(items) >= 3


def _candidates(
    result: SearchResult, catalog: CatalogIndex, descriptive: list[str], *, priced: bool
) -> tuple[str, ...]:
    if not result.words:
        return tuple(i.sku for i in sorted(catalog.items.values(), key=lambda i: i.name) if i.active)[
            :LIST_LIMIT
        ]
    hits = list(result.hits)
    if not hits:
        return ()
    best = hits[0].coverage
    # The best-covered items, and every item the words name by its name, tags or category
    # ("lehenga for a wedding": every lehenga, not only the one whose description says wedding).
    keep = [h for h in hits if h.coverage > 0 and (h.coverage >= best - 1e-9 or h.strong)]
    # "jeans": the items called jeans, not every denim thing the word also means (but the
    # priciest coat, or every coat under $100, is chosen among all of them)
    literal = [h for h in keep if h.score >= hits[0].score * 0.8]
    if len(literal) >= 2 and not priced:
        keep = literal
    if descriptive:
        with_concepts = [h for h in keep if all(catalog.has_concept(h.item.sku, c) for c in descriptive)]
        keep = with_concepts or [h for h in keep if h.coverage > 0]
    return tuple(h.item.sku for h in keep)


def _intent(
    u: Understanding,
    state: DialogueState,
    moment: When,
    n_words: int,
    catalog: CatalogIndex,
    result: SearchResult,
) -> str:
    s = u.signals
    pending = state.pending
    short = n_words <= 4
    if "opt_out" in s and (short or _phrase(u, "opt_out")) and not u.items:
        return "opt_out"
    if "opt_in" in s and (n_words <= 2 or _phrase(u, "opt_in")) and not u.items:
        return "opt_in"
    if "human" in s:
        return "human"
    # "great, see you tomorrow" to "shall I book it?" says yes first; the goodbye comes with it
    answers_yes = pending is not None and pending.kind != "rating" and u.yes_no == "yes"
    closing = "bye" in s and u.item_source not in ("name", "search") and n_words <= 6 and not u.question
    if closing and not answers_yes:
        return "bye"
    if "bot" in s and u.item_source not in ("name", "search"):
        return "unknown"  # "are you a robot?": nothing to look up
    if "cancellation" in u.info_asked and u.info_topic:
        return "info"  # "what if I cancel?" asks the policy
    if "cancel" in s:
        return "cancel"
    if "order_status" in s:
        return "order_status"
    if "complaint" in s and not (u.yes_no and short) and not _only_product_words(u, catalog, "complaint"):
        return "complaint"
    loose = u.item_source != "name" and not (result.hits and result.hits[0].coverage >= 0.99)
    # "thanks! also is there parking nearby": the thanks closes one question and opens another
    thanks_only = "thanks" in s and n_words <= 7 and loose and not u.question and not u.info_asked
    if thanks_only and not ("done" in s and (state.cart or state.items)):
        return "thanks"
    if "rating" in s and (any(ch.isdigit() for ch in u.text) or "⭐" in u.text) and not u.items:
        return "rating"
    if "done" in s and (state.cart or state.items) and not u.question:
        return "order"
    if "notify" in s and (u.items or state.items):
        return "notify"
    # "fechado" (deal / closed) alone, to "shall I place the order?": the answer, not the hours
    if pending is not None and u.yes_no and n_words <= 2 and not u.question and not u.items:
        return "confirm" if u.yes_no == "yes" else "deny"
    policy = set(u.info_asked) & _POLICY_TOPICS and u.item_source != "name"
    if policy and u.max_price_minor is None and u.min_price_minor is None:
        return "info"  # "what time do you close?", "I'll be 10 min late", "do you have parking?"
    if pending is not None:
        if pending.kind == "rating" and u.text.strip().isdigit() and 1 <= int(u.text.strip()) <= 5:
            return "rating"
        # "sunday is fine" to a choice of times: the day picks the slot, the "fine" agrees
        if pending.kind == "pick_slot" and (u.time or u.date) and u.yes_no != "no":
            return "booking"
        if u.yes_no and short and not (u.items and u.item_source == "name"):
            return "confirm" if u.yes_no == "yes" else "deny"
        if pending.kind == "book_slot" and (u.time or u.date):
            return "booking"
        if pending.kind == "quantity" and u.quantity and short:
            return "order"
    if u.info_topic and not (s & {"booking", "order"}) and not u.items:
        return "info"
    if "notify" in s:
        return "notify"
    services = [sku for sku in u.items if catalog.items[sku].kind == "service"] if u.items else []
    # "pashmina ceruty dua ya kak warna mauve", "1 kg gulab jamun": a number of a named item,
    # stated not asked; the colour or weight said picks the variant, it asks nothing.
    stated = not u.question and not (s & {"have", "product", "stock", "restock", "availability", "booking"})
    if (
        u.quantity
        and u.item_source == "name"
        and stated
        and not (u.listing or services or u.attribute == "price")
    ):
        return "order"
    if u.attribute == "price" and "booking" not in s and u.items and not u.listing:
        return "product"
    if "stock" in s and u.items and u.item_source in ("name", "reference") and "booking" not in s:
        return "availability"
    if "booking" in s or (
        (moment.day or moment.time)
        and (services or _recent_service(state, catalog))
        and not (u.info_asked and not services)
    ):
        return "booking"
    wants_items = bool(u.items) or bool(state.items) or bool(state.cart)
    order_words = "order" in s and wants_items and not u.listing and not (u.info_asked and not u.items)
    if order_words and not (
        "availability" in s and u.item_source != "reference" and not u.quantity and u.question
    ):
        return "order"
    asking = u.question or bool(s & {"have", "product", "stock", "restock"}) or u.attribute_asked
    if u.quantity and u.items and u.item_source != "category" and not asking and not u.listing:
        return "order"
    ordering = state.cart or (pending is not None and pending.kind == "confirm_order")
    if ordering and (moment.time or moment.day) and "booking" not in s and not u.info_asked:
        return "order"  # "I'll pick up at 10"
    strong_item = u.item_source == "name" or (
        u.item_source == "search" and bool(result.hits) and result.hits[0].coverage >= 0.99
    )
    specific = strong_item or u.item_source in ("reference", "payload")
    about_items = bool(u.items) or bool(u.unmatched) or bool(result.words)
    one_item = strong_item and not result.category_like
    # "does the carrot cake have nuts?": an attribute of the one item found, though the shop's
    # allergen note matches too
    of_one_item = len(u.items) == 1 and u.item_source in ("search", "reference") and not u.listing
    budget = u.listing and (u.max_price_minor is not None or u.min_price_minor is not None)
    if (
        u.info_topic
        and not one_item
        and not budget
        and not (of_one_item and u.attribute not in (None, "price"))
    ):
        return "info"
    if u.info_asked and not u.items and not u.listing:
        return "info"
    if "restock" in s and (u.items or state.items) and not (u.listing and "have" in s):
        return "availability"
    if specific and u.items and (u.attribute not in (None, "price") or u.attribute_value):
        # "do you have the white sneakers in size 8?": whether that variant is there to buy
        variant = u.attribute in ("size", "color") and u.item_source == "name"
        return "availability" if variant and s & {"have", "stock"} else "product"
    if u.attribute == "price" and about_items and not u.listing:
        return "product"
    if "stock" in s and specific and u.items:
        return "availability"
    if u.listing:
        return "browse"
    if "have" in s and about_items:
        # "do you have hoodies?" asks for a kind of thing (a list); "do you have almond croissants
        # today?" for one item, named in full, or for its stock on a day.
        named = (
            bool(result.hits) and result.hits[0].whole_name and len(catalog.name_words[u.items[0]]) >= 2
            if u.items
            else False
        )
        # "the leather jacket and the denim one": each item named on its own, asked for by name
        several = u.item_source == "name" and len(u.items) >= 2 and len(split_segments(u.text)) >= 2
        if (
            (named and not result.category_like)
            or several
            or u.item_source == "reference"
            or moment.day
            or "stock" in s
        ):
            return "availability" if u.items else "browse"
        return "browse"
    if "availability" in s and about_items:
        return "availability" if specific else "browse"
    if (u.attribute or "product" in s) and about_items:
        return "product"
    if u.items and u.item_source in ("name", "search"):
        # "whole cheesecake tomorrow?": whether it can be had that day
        return "availability" if moment.day and u.question and not u.attribute else "product"
    if u.items and u.item_source == "reference" and (u.question or u.attribute):
        return "product"
    for name in ("bye", "thanks", "greeting"):
        if name in s:
            return name
    if u.yes_no:
        return "confirm" if u.yes_no == "yes" else "deny"
    if "browse" in s:
        return "browse"
    if u.unmatched and ("availability" in s or "product" in s or u.question):
        return "availability" if "availability" in s else "product"
    if u.items:
        return "product"
    return "unknown"


def _only_product_words(u: Understanding, catalog: CatalogIndex, intent: str) -> bool:
    """Every match of the intent's words is a word of the catalog ("roti sobek" is a bread)."""
    lexes = [compiled(u.language)] + ([compiled("en")] if u.language != "en" else [])
    found = [m.group(0) for lex in lexes for m in lex.intents[intent].finditer(fold(u.text))]
    return bool(found) and all(all(w in catalog.postings for w in f.split()) for f in found)


def _phrase(u: Understanding, intent: str) -> bool:
    """The intent was said in a phrase of two words or more (not a lone "stop" in a sentence)."""
    lexes = [compiled(u.language)] + ([compiled("en")] if u.language != "en" else [])
    folded = fold(u.text)
    return any(len(m.group(0).split()) >= 2 for lex in lexes for m in lex.intents[intent].finditer(folded))


def _recent_service(state: DialogueState, catalog: CatalogIndex) -> bool:
    return any(s in catalog.items and catalog.items[s].kind == "service" for s in state.items[:1]) or (
        state.pending is not None and state.pending.kind in ("pick_slot", "book_slot")
    )
