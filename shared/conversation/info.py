"""Which row of the shop's Info tab a question is about (hours, address, delivery…).

A question matches a row through the canonical topic words of our languages ("horario",
"jam buka" and "opening hours" are all `hours`) and through the words of the row's own topic.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from shared.conversation.facts import InfoEntry
from shared.conversation.lexicon import compiled
from shared.conversation.text import fold, words
from shared.i18n.catalog import LANGUAGES


def canonical_topics(text: str, langs: Sequence[str] = LANGUAGES) -> set[str]:
    """The canonical info topics `text` names, in any of `langs`."""
    folded = fold(text)
    found: set[str] = set()
    for lang in langs:
        for topic, pattern in compiled(lang).info_topics.items():
            if pattern.search(folded):
                found.add(topic)
    return found


def asked_topics(text: str, lang: str | None) -> set[str]:
    """Canonical topics in `text` read in `lang` and English (every language when None)."""
    if lang is None:
        return canonical_topics(text)
    return canonical_topics(text, (lang, "en") if lang != "en" else ("en",))


def match_topic(question: str, entries: Sequence[InfoEntry], lang: str | None) -> InfoEntry | None:
    """The Info row that answers `question`, or None."""
    if not entries:
        return None
    asked = asked_topics(question, lang)
    stop = compiled(lang or "en").stopwords | compiled("en").stopwords
    content = {w for w in words(question) if w not in stop and len(w) > 2}
    best: tuple[float, InfoEntry] | None = None
    for entry in entries:
        label = f"{entry.topic} {entry.topic_id.replace('_', ' ').replace('-', ' ')}"
        score = 2.0 * len(asked & canonical_topics(label))
        label_words = {w for w in words(label) if len(w) > 2 and w not in stop}
        score += 1.0 * sum(1 for w in content if any(_same_word(w, x) for x in label_words))
        if score:
            answer_words = {w for w in words(entry.answer) if len(w) > 4 and w not in stop}
            score += 0.25 * min(
                sum(1 for w in content if len(w) > 4 and any(_same_word(w, x) for x in answer_words)), 2
            )
        if score >= 1.0 and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None


def _same_word(a: str, b: str) -> bool:
    """ "facturan" ~ "facturacion", "cheques" ~ "cheque": a shared stem of five letters, or a typo."""
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]:
        return True
    return len(a) >= 5 and fuzz.ratio(a, b) >= 85
