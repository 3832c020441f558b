"""Text as the engine compares it: case and accents folded, split into words.

"Cuánto cuesta la chaqueta?" and "cuanto cuesta la chaqueta" read the same; Devanagari is kept
as it is (folding would lose its vowel signs).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents (Latin letters); other scripts unchanged."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    kept = []
    for ch in decomposed:
        if unicodedata.combining(ch) and ord(ch) < 0x0900:
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


def words(text: str) -> list[str]:
    """The folded words of `text` ("can't" stays one word)."""
    return _WORD.findall(fold(text))


def strip_emoji(text: str) -> str:
    return _EMOJI.sub(" ", text)


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
