"""Which row of the shop's Info tab a question is about (hours, address, delivery…).

A question matches a row through the canonical topic words of our languages ("horario",
"jam buka" and "opening hours" are all `hours`) and through the words of the row's own topic.
"""

from __future__ import annotations

from collections.abc import Sequence

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
        label_words = {w for w in words(label) if len(w) > 2}
        score += 1.0 * len(content & label_words)
        score += 0.25 * min(len(content & set(words(entry.answer))), 2) if score else 0.0
        if score >= 1.0 and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None
