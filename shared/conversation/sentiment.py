"""Implicit satisfaction: a small lexicon score of a customer's message, in [-1, 1].

No model and no network: the score only has to move the right way for the satisfaction KPI
(explicit 1–5 ratings stay the primary measure). Negation flips the next sentiment word
("not happy"), and emoji count like words.
"""

from __future__ import annotations

import re

_POSITIVE = {
    "thanks", "thank", "thx", "great", "perfect", "awesome", "love", "lovely", "excellent", "good",
    "nice", "amazing", "helpful", "happy", "fantastic", "brilliant", "wonderful", "best", "cool",
    "glad", "pleased", "super", "gracias", "merci", "👍", "❤️", "❤", "😊", "😀", "🙏", "😍", "🎉",
}  # fmt: skip
_NEGATIVE = {
    "bad", "terrible", "awful", "worst", "angry", "annoyed", "disappointed", "useless", "broken",
    "wrong", "late", "never", "refund", "complaint", "complain", "horrible", "poor", "rude", "hate",
    "scam", "unacceptable", "ridiculous", "damaged", "missing", "slow", "frustrated", "upset",
    "👎", "😡", "😠", "😞", "😢",
}  # fmt: skip
_NEGATIONS = {"not", "no", "never", "dont", "don't", "isn't", "isnt", "wasn't", "wasnt", "aren't"}
_TOKEN = re.compile(r"[\w']+|[^\w\s]", re.UNICODE)


def sentiment(text: str | None) -> float | None:
    """Score `text` in [-1, 1] (negative to positive); None when it carries no sentiment words."""
    if not text:
        return None
    score = 0
    hits = 0
    negate = False
    for token in _TOKEN.findall(text.lower()):
        if token in _NEGATIONS:
            negate = True
            continue
        value = 1 if token in _POSITIVE else -1 if token in _NEGATIVE else 0
        if value:
            score += -value if negate else value
            hits += 1
        negate = False if value or token.isalnum() else negate
    if not hits:
        return None
    return max(-1.0, min(1.0, score / hits))
