"""Which events a period has already counted: the exactly-once half of the rollup.

Each hour period keeps the 64-bit digests of the event ids it has counted in a few shard
documents `tenants/{T}/analytics/{hour}/dedupe/{n}` as one packed `bytes` field (8 bytes an
id: ~130,000 ids per shard under Firestore's 1 MiB limit, and a single index entry instead of
one per id). A day needs no shards of its own: every event belongs to exactly one hour, and the
hour's shards are read and written in the same transaction as the day document.
"""

from __future__ import annotations

import hashlib
from array import array

SHARDS = 4
FIELD = "ids"
SUBCOLLECTION = "dedupe"


def digest(event_id: str) -> int:
    """A 64-bit digest of an event id (collision odds ~1e-10 for 100,000 ids in one hour)."""
    return int.from_bytes(hashlib.blake2b(event_id.encode(), digest_size=8).digest(), "big")


def shard_of(key: int) -> int:
    return key % SHARDS


def unpack(blob: bytes | None) -> set[int]:
    ids: array[int] = array("Q")
    if blob:
        ids.frombytes(bytes(blob))
    return set(ids)


def pack(keys: set[int]) -> bytes:
    return array("Q", sorted(keys)).tobytes()
