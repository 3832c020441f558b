"""Which of our languages a message is written in, and whether it should change the conversation's.

Two layers:
- a small lexicon of each language's everyday words (`markers` in the message catalog), which
  also covers Hinglish (Hindi in Latin letters, which no detector model knows) and chat
  Indonesian ("brp", "gak", "kak");
- py3langid (a maintained langid.py port whose model ships in its wheel), restricted to our
  languages, for messages the lexicon cannot settle. Its model takes ~1.5 s to load, so it is
  loaded in the background (`warm_up`, after an instance's first reply) and never waited for.

A conversation keeps its language unless a message is clearly in another one: "ok", "👍", a
product name or a number never flip it.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from shared.conversation.lexicon import compiled
from shared.conversation.text import fold, strip_emoji, words
from shared.i18n.catalog import LANGUAGES, lexicon

_DEVANAGARI = re.compile("[\u0900-\u097f]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_identifier: Any = None
_ready = threading.Event()
_started = threading.Lock()
_loading = False


def warm_up() -> None:
    """Start loading the detector model in the background (idempotent)."""
    global _loading
    with _started:
        if _loading:
            return
        _loading = True
    threading.Thread(target=_load_model, name="langid-load", daemon=True).start()


def wait_loaded(timeout: float) -> bool:
    """Block until the model has loaded (benchmarks separate its cost from a reply's)."""
    return _ready.wait(timeout)


def _load_model() -> None:
    global _identifier
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(LANGUAGES))
        _identifier = identifier
    finally:
        _ready.set()


def _model_guess(text: str) -> tuple[str, float] | None:
    """The model's guess, or None while it is still loading (the lexicon decides meanwhile: a
    reply is never held up by the model's load)."""
    warm_up()
    if not _ready.is_set() or _identifier is None:
        return None
    lang, prob = _identifier.classify(text)
    return str(lang), float(prob)


def lexicon_scores(tokens: list[str]) -> dict[str, float]:
    """How many of `tokens` are everyday words of each language (shared words count less)."""
    hits: dict[str, float] = {}
    for token in tokens:
        langs = [lang for lang in LANGUAGES if token in compiled(lang).markers]
        for lang in langs:
            hits[lang] = hits.get(lang, 0.0) + 1.0 / len(langs)
    return hits


def detect(text: str, *, current: str | None, default: str, ignore: set[str] | None = None) -> str:
    """The language to answer `text` in.

    `current` is the conversation's language (None for a new one), `default` the tenant's;
    `ignore` holds words that say nothing about the language (the catalog's product words).
    """
    keep = current or default
    clean = _URL.sub(" ", strip_emoji(text))
    if _DEVANAGARI.search(clean):
        return "hi"
    tokens = [t for t in words(clean) if not t.isdigit() and t not in (ignore or set())]
    if not tokens:
        return keep
    scores = lexicon_scores(tokens)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, best_score = ranked[0] if ranked else (keep, 0.0)
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best == keep and best_score >= second:
        return keep
    # Hinglish and chat Indonesian: the model does not know them well; their own words decide.
    if best in ("hi", "id") and best_score >= 2 and best_score >= 2 * second:
        return best
    if len(tokens) < 3:
        # A short message flips only on a clear word of another language ("obrigado", "gracias"),
        # never on one the conversation's language uses too ("no", "hello", "ok", "thanks").
        own = _everyday(keep)
        if (
            best_score >= 1
            and second == 0
            and _distinctive(tokens, best)
            and not all(t in own for t in tokens)
        ):
            return best
        return keep
    guess = _model_guess(" ".join(tokens))
    if guess is None:  # the model is still loading: the lexicon alone, a little more cautiously
        return best if best_score >= 1.5 and best_score >= 2 * max(second, scores.get(keep, 0.0)) else keep
    lang, prob = guess
    if lang == keep:
        return keep
    lexical = scores.get(lang, 0.0)
    if prob >= 0.9 and lexical >= scores.get(keep, 0.0):
        return lang
    if (
        best != keep
        and best_score >= 2
        and best_score >= 1.5 * max(second, scores.get(keep, 0.0))
        and lang == best
    ):
        return best
    if best_score >= 3 and best_score >= 2 * max(second, scores.get(keep, 0.0)):
        return best
    return keep


@lru_cache(maxsize=8)
def _everyday(lang: str) -> frozenset[str]:
    """Every word of `lang`'s chat lexicon (its intents, markers, stopwords and numbers: "deme
    dos" stays Spanish, though "dos" is also Portuguese)."""
    raw = lexicon(lang)
    found = {fold(w) for w in raw["markers"]} | {fold(w) for w in raw["stopwords"]}
    found |= {w for n in raw["numbers"] for w in fold(n).split()}
    for phrases in raw["intents"].values():
        found |= {w for p in phrases for w in fold(p).replace("*", "").split()}
    return frozenset(found)


def _distinctive(tokens: list[str], lang: str) -> bool:
    """A word that belongs to `lang` only (not to any other of our languages)."""
    for token in tokens:
        if token in compiled(lang).markers and not any(
            token in compiled(other).markers for other in LANGUAGES if other != lang
        ):
            return True
    return False


def first_language(text: str, default: str) -> str:
    """The language of a conversation's first message (the tenant's default when unclear)."""
    return detect(text, current=None, default=default)
