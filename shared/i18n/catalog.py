"""The message catalog: every customer- or owner-facing sentence, in every supported language.

`message(key, lang, **params)` returns the sentence for `key` in `lang` (en, es, pt, fr, id, hi),
with `{name}` placeholders filled; an unknown language falls back to English, and a key missing
in a language too (the tests check none is). Data: `shared/i18n/messages/<lang>.json`, plus any
`<lang>.<part>.json` beside it (one part per area, so areas add sentences without editing the same
file).
"""

from __future__ import annotations

import json
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "es", "pt", "fr", "id", "hi")
DEFAULT_LANGUAGE = "en"
MESSAGES = Path(__file__).resolve().parent / "messages"


@cache
def messages(lang: str) -> dict[str, str]:
    """Every sentence of `lang`, merged from its data files."""
    merged: dict[str, str] = {}
    for path in sorted(MESSAGES.glob(f"{lang}.json")) + sorted(MESSAGES.glob(f"{lang}.*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def language_of(tag: str | None) -> str:
    """The catalog language for a BCP 47 tag or language code (`pt-BR` -> `pt`); else English."""
    code = (tag or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def message(key: str, lang: str | None, **params: Any) -> str:
    """The sentence `key` in `lang` with its placeholders filled."""
    text = messages(language_of(lang)).get(key) or messages(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the catalog")
    return text.format(**params)


# -- the chat lexicon and locale formatting (conversation engine) ------------------------------

CHAT_WORDS = Path(__file__).resolve().parent / "chat_words"
# The locale a language is formatted in when the tenant's own locale is in another language.
# Hinglish is written in Latin letters: Indian English formatting (₹1,00,000, "Sat 6 Dec").
_LANGUAGE_LOCALE = {"en": "en_US", "es": "es_MX", "pt": "pt_BR", "fr": "fr_FR", "id": "id_ID", "hi": "en_IN"}


@cache
def lexicon(lang: str) -> dict[str, Any]:
    """The chat words of `lang` (`shared/i18n/chat_words/<lang>.json`): intents, yes/no, numbers,
    weekdays, dayparts, price and attribute words, references, Info topics, stopwords."""
    data: dict[str, Any] = json.loads((CHAT_WORDS / f"{language_of(lang)}.json").read_text(encoding="utf-8"))
    return data


@cache
def concepts() -> dict[str, dict[str, list[str]]]:
    """Concept -> language -> words: "dress" is vestido, robe, gaun… (cross-language matches)."""
    data: dict[str, dict[str, list[str]]] = json.loads(
        (CHAT_WORDS / "concepts.json").read_text(encoding="utf-8")
    )["concepts"]
    return data


def reply_locale(lang: str, tenant_locale: str | None) -> str:
    """The Babel locale replies in `lang` are formatted with: the tenant's own locale when it is
    in that language (es-ES stays es-ES), else the language's usual one."""
    if tenant_locale and language_of(tenant_locale) == lang and lang != "hi":
        return tenant_locale.replace("-", "_")
    return _LANGUAGE_LOCALE.get(lang, "en_US")


def money(minor: int, currency: str, locale: str) -> str:
    """`R$ 39,90`, `Rp 150.000`, `₹1,00,000`: the amount as the locale writes it."""
    from shared.money import format_money

    return format_money(minor, currency, locale)


def slot_time(day: date, start: time | str, locale: str) -> str:
    """`Sat 6 Dec, 10:00` in English; `sáb. 6 dez., 10:00` in Portuguese."""
    from babel.dates import format_date, format_time

    from shared.money import babel_locale

    if isinstance(start, str):
        hours, _, minutes = start.partition(":")
        start = time(int(hours), int(minutes or 0))
    loc = babel_locale(locale)
    return f"{format_date(day, 'EEE d MMM', locale=loc)}, {format_time(start, 'HH:mm', locale=loc)}"


def day_label(day: date, locale: str) -> str:
    """`Saturday 6 December` in the locale."""
    from babel.dates import format_date

    from shared.money import babel_locale

    return format_date(day, "EEEE d MMMM", locale=babel_locale(locale))


def long_date(day: date, locale: str) -> str:
    """`15 December` in the locale."""
    from babel.dates import format_date

    from shared.money import babel_locale

    return format_date(day, "d MMMM", locale=babel_locale(locale))
