"""The reply message catalog and the chat lexicon, one JSON file per language.

`shared/i18n/messages/<lang>.json` holds `messages` (every sentence a customer may read, with
named `{placeholders}`) and `lexicon` (the words the engine understands in that language:
intents, yes/no, numbers, weekdays, price and attribute words, references). Sentences are
looked up by key and filled with already formatted values (money and dates through Babel), never
assembled from fragments in code.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time

from shared.money import babel_locale, format_money

LANGUAGES = ("en", "es", "pt", "fr", "id", "hi")
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).parent / "messages"
# The locale a language is formatted in when the tenant's own locale is in another language.
# Hinglish is written in Latin letters: Indian English formatting (₹1,00,000, "Sat 6 Dec").
_LANGUAGE_LOCALE = {"en": "en_US", "es": "es_MX", "pt": "pt_BR", "fr": "fr_FR", "id": "id_ID", "hi": "en_IN"}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"message parameter {key!r} missing")


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _file(lang: str) -> dict[str, Any]:
    path = _DIR / f"{lang}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def language_of(tag: str | None) -> str:
    """`pt-BR` -> `pt`; a language we do not speak -> `en`."""
    lang = (tag or DEFAULT_LANGUAGE).replace("_", "-").split("-")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def message(key: str, lang: str, **params: Any) -> str:
    """The sentence `key` in `lang`, filled with `params` (already formatted strings/numbers)."""
    messages: dict[str, str] = _file(language_of(lang))["messages"]
    return messages[key].format_map(_Params(params))


def message_keys(lang: str) -> frozenset[str]:
    return frozenset(_file(language_of(lang))["messages"])


def lexicon(lang: str) -> dict[str, Any]:
    """The chat lexicon of `lang` (see the module docstring)."""
    data: dict[str, Any] = _file(language_of(lang))["lexicon"]
    return data


def concepts() -> dict[str, dict[str, list[str]]]:
    """Concept -> language -> words: "dress" is vestido, robe, gaun… (cross-language matches)."""
    data: dict[str, dict[str, list[str]]] = _file("concepts")["concepts"]
    return data


def reply_locale(lang: str, tenant_locale: str | None) -> str:
    """The Babel locale replies in `lang` are formatted with: the tenant's own locale when it is
    in that language (es-ES stays es-ES), else the language's usual one."""
    if tenant_locale and language_of(tenant_locale) == lang and lang != "hi":
        return tenant_locale.replace("-", "_")
    return _LANGUAGE_LOCALE.get(lang, "en_US")


def money(minor: int, currency: str, locale: str) -> str:
    return format_money(minor, currency, locale)


def slot_time(day: date, start: time | str, locale: str) -> str:
    """`Sat 6 Dec, 10:00` in English; `sáb., 6 de dez., 10:00` in Portuguese."""
    if isinstance(start, str):
        hours, _, minutes = start.partition(":")
        start = time(int(hours), int(minutes or 0))
    loc = babel_locale(locale)
    return f"{format_date(day, 'EEE d MMM', locale=loc)}, {format_time(start, 'HH:mm', locale=loc)}"


def day_label(day: date, locale: str) -> str:
    """`Saturday 6 December` in the locale."""
    return format_date(day, "EEEE d MMMM", locale=babel_locale(locale))


def long_date(day: date | datetime, locale: str) -> str:
    return format_date(day, "d MMMM", locale=babel_locale(locale))
