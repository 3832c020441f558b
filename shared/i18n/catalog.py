"""The message catalog: every customer- or owner-facing sentence, in every supported language.

`message(key, lang, **params)` returns the sentence for `key` in `lang` (en, es, pt, fr, id, hi),
with `{name}` placeholders filled; an unknown language falls back to English, and a key missing
in a language too (the tests check none is). Data: `shared/i18n/messages/<lang>.json`, plus any
`<lang>.<part>.json` beside it (one part per area, so areas add sentences without editing the same
file).
"""

from __future__ import annotations

import json
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
