"""The customer-facing message catalog: `message(key, lang, **params)`.

Texts live in `shared/i18n/messages/`, one JSON object per language and area
(`<area>.<lang>.json`, or `<lang>.json`); every key exists in every supported language
(tests/unit/test_i18n_catalog.py checks it). An unknown language falls back to English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "es", "pt", "fr", "id", "hi")
DEFAULT_LANGUAGE = "en"
MESSAGES = Path(__file__).resolve().parent / "messages"


def language_of(tag: str | None) -> str:
    """`pt-BR` / `pt_BR` / `pt` -> `pt`; anything unsupported -> `en`."""
    code = (tag or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@cache
def texts(lang: str) -> dict[str, str]:
    """Every message of `lang`, from all of its files."""
    found: dict[str, str] = {}
    for path in sorted(MESSAGES.glob(f"*{lang}.json")):
        if path.stem == lang or path.stem.endswith(f".{lang}"):
            found.update(json.loads(path.read_text(encoding="utf-8")))
    return found


def message(key: str, lang: str | None, **params: object) -> str:
    """The text `key` in `lang` with `params` filled in; KeyError for a key no file defines."""
    language = language_of(lang)
    template = texts(language).get(key) or texts(DEFAULT_LANGUAGE)[key]
    return template.format(**params)
