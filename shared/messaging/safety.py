"""What may be stored from outside: document ids and values Firestore accepts.

Input from the providers (ids, senders, whole messages of unknown types) reaches Firestore. A
value Firestore refuses would turn into a 5xx that Meta retries for days, and an id with a `/`
would write a document at a nested path (`conversations/X/outbox/q9`), so both are checked here,
before anything is written:
- a document id is 1-500 characters, without `/`, not `.` or `..`, not `__…__` (reserved);
- a value nests at most MAX_DEPTH maps/lists (Firestore's limit is 20 levels), its map keys are
  non-empty and not `__…__`, its integers fit in 64 bits, its strings are valid Unicode (a lone
  surrogate cannot be encoded as UTF-8).
"""

from __future__ import annotations

import re
from typing import Any

MAX_DEPTH = 16
MAX_ID_CHARS = 500
_RESERVED = re.compile(r"^__.*__$", re.DOTALL)
_INT64 = (-(2**63), 2**63 - 1)


class Unstorable(ValueError):
    """A value or id Firestore would refuse (or that would escape its document)."""


def check_document_id(value: str) -> str:
    """`value` if it is safe as a single Firestore document id; Unstorable if not."""
    if not value or len(value) > MAX_ID_CHARS:
        raise Unstorable(f"document id must have 1-{MAX_ID_CHARS} characters")
    if "/" in value or value in (".", "..") or _RESERVED.match(value):
        raise Unstorable("document id must not contain '/' nor be '.', '..' or '__…__'")
    _check_text(value)
    return value


def check_storable(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise Unstorable (a ValueError, so pydantic reports it) when Firestore would refuse `value`.

    Iterative, so that a deeply nested input cannot exhaust the stack here either.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if not _INT64[0] <= item <= _INT64[1]:
                raise Unstorable("integer out of the 64-bit range")
        elif isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                raise Unstorable(f"nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str) or not key or _RESERVED.match(key):
                        raise Unstorable("field names must be non-empty and not '__…__'")
                    _check_text(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
        else:
            raise Unstorable(f"unsupported value type {type(item).__name__}")


def nesting_depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` (parsed JSON) nests more than `limit` maps/lists deep."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Unstorable("text is not valid Unicode (lone surrogate)") from None
