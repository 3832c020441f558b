"""Every reply sentence and every chat word list exists in each of our six languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared.i18n.catalog import LANGUAGES, lexicon

MESSAGES = Path(__file__).resolve().parents[2] / "shared" / "i18n" / "messages"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _replies(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((MESSAGES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_reply_sentence_exists_with_the_same_placeholders(lang: str) -> None:
    english, other = _replies("en"), _replies(lang)
    assert set(other) == set(english)
    for key, text in english.items():
        assert set(_PLACEHOLDER.findall(other[key])) == set(_PLACEHOLDER.findall(text)), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_intent_and_word_list(lang: str) -> None:
    english, other = lexicon("en"), lexicon(lang)
    assert set(other) == set(english)
    assert set(other["intents"]) == set(english["intents"])
    assert set(other["attributes"]) == set(english["attributes"])
    assert len(other["weekdays"]) >= 7 and len(other["numbers"]) >= 10
    assert all(other["intents"][name] for name in other["intents"]), lang
