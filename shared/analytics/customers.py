"""Per-tenant memory of customers (hashed ids only), for the returning-customers KPI.

`tenants/{T}/analytics_state/customers_{n}` holds packed (64-bit digest of the hashed customer
id, first-seen epoch hour) pairs in one `bytes` field. A conversation counts as returning when
its customer was first seen in an earlier hour. The memory is updated after the period
documents commit, so a crash in between can at worst count a customer as new twice.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

from shared.clients import firestore_client
from shared.storage import tenant_collection

SHARDS = 8
COLLECTION = "analytics_state"
_RECORD = struct.Struct(">QI")


def customer_key(customer: str) -> int:
    return int.from_bytes(hashlib.blake2b(customer.encode(), digest_size=8).digest(), "big")


def _shard_id(key: int) -> str:
    return f"customers_{key % SHARDS}"


def _unpack(blob: bytes | None) -> dict[int, int]:
    data = bytes(blob or b"")
    return {k: h for k, h in _RECORD.iter_unpack(data)} if data else {}


def _pack(memory: dict[int, int]) -> bytes:
    return b"".join(_RECORD.pack(k, h) for k, h in sorted(memory.items()))


def first_seen(tenant_id: str, customers: Iterable[str]) -> dict[str, int]:
    """First-seen epoch hour of each of `customers` already remembered (unknown ones absent)."""
    keys = {c: customer_key(c) for c in set(customers)}
    if not keys:
        return {}
    col = tenant_collection(tenant_id, COLLECTION)
    shards = {_shard_id(k) for k in keys.values()}
    memory: dict[int, int] = {}
    for snap in firestore_client().get_all([col.document(s) for s in shards]):
        if snap.exists:
            memory.update(_unpack((snap.to_dict() or {}).get("first_seen")))
    return {c: memory[k] for c, k in keys.items() if k in memory}


def remember(tenant_id: str, seen: dict[str, int]) -> list[str]:
    """Record customers' first-seen hours (keeping the earliest); returns the paths written."""
    from google.cloud import firestore

    if not seen:
        return []
    col = tenant_collection(tenant_id, COLLECTION)
    by_shard: dict[str, dict[int, int]] = {}
    for customer, hour in seen.items():
        key = customer_key(customer)
        by_shard.setdefault(_shard_id(key), {})[key] = hour
    client = firestore_client()

    @firestore.transactional
    def update(transaction: firestore.Transaction) -> list[str]:
        refs = {s: col.document(s) for s in by_shard}
        current = {snap.id: snap for snap in client.get_all(list(refs.values()), transaction=transaction)}
        written: list[str] = []
        for shard, additions in by_shard.items():
            snap = current.get(shard)
            memory = _unpack((snap.to_dict() or {}).get("first_seen")) if snap and snap.exists else {}
            changed = False
            for key, hour in additions.items():
                if key not in memory or hour < memory[key]:
                    memory[key] = hour
                    changed = True
            if changed:
                transaction.set(refs[shard], {"first_seen": _pack(memory), "customers": len(memory)})
                written.append(refs[shard].path)
        return written

    paths: list[str] = update(client.transaction(max_attempts=10))
    return paths
