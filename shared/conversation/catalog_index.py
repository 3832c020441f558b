"""The per-instance cache of each tenant's catalog index, and the live reads around it.

`catalog_index(tenant_id)` is the one way in (the scale area bounds the cache behind it).

- A fresh instance first reads the compact snapshot (`tenants/{t}/catalog_index/part_{n}`: the
  fields the index needs, zlib-compressed JSON, a few documents even for 10,000 items) and
  answers from it at once; what changed since the snapshot's watermark is read on its next
  message (the items a reply quotes are re-read live anyway). Without a snapshot it reads
  `catalog` and `availability` once and writes the snapshot for the next instance; a catch-up
  that needed more than `SNAPSHOT_REBUILD_CHANGES` documents writes it again.
- After that, at most every `REFRESH_S`, only documents whose `updated_at` moved past the
  watermark are read (two range queries that return nothing when the sheet is quiet).
- The few items a reply quotes are re-read live (`live_items`), so prices and stock in a reply
  are never older than the message.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from shared.cache import ByteLRU
from shared.conversation.facts import InfoEntry, Slot
from shared.conversation.retrieval import CatalogIndex, CatalogItem, item_from_doc
from shared.log import get_logger, log_event
from shared.settings import get_settings
from shared.storage import tenant_collection

log = get_logger(__name__)
REFRESH_S = 5.0
# A warm instance rebuilds from the collections now and then (the incremental refresh cannot see a
# document deleted outright; the poller normally keeps removed rows with `active: false`).
FULL_RELOAD_S = 6 * 3600.0
INFO_TTL_S = 60.0
SNAPSHOT_PART_BYTES = 900_000
SNAPSHOT_REBUILD_CHANGES = 500
DESCRIPTION_CHARS = 400
CATALOG_FIELDS = [
    "sku", "name", "category", "price_minor", "currency", "stock", "status", "active", "kind",
    "description", "tags", "restock_date", "source_row", "updated_at",
]  # fmt: skip
AVAILABILITY_FIELDS = ["status", "stock", "days_to_stockout", "confidence", "stale", "updated_at"]

# Bounded by bytes (CATALOG_CACHE_MB): an instance serving thousands of shops keeps the most
# recently used indexes and reloads an evicted one like a first message (shared/cache.py).
_indexes: ByteLRU[str, CatalogIndex] = ByteLRU(lambda: get_settings().catalog_cache_mb * 2**20)
_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
_info: dict[str, tuple[float, list[InfoEntry]]] = {}


def catalog_index(tenant_id: str) -> CatalogIndex:
    """The tenant's index on this instance, loaded or refreshed as needed."""
    with _locks[tenant_id]:
        index = _indexes.get(tenant_id)
        now = time.monotonic()
        if index is None:
            index = _from_snapshot(tenant_id) or _load(tenant_id, write_snapshot=True)
            _indexes[tenant_id] = index
        elif now - index.loaded_at > FULL_RELOAD_S:
            index = _load(tenant_id, write_snapshot=True)
            _indexes[tenant_id] = index
        elif now - index.checked_at > REFRESH_S:
            if _refresh(index) > SNAPSHOT_REBUILD_CHANGES and index.catch_up:
                _write_snapshot(index)  # the snapshot was far behind: the next instance starts closer
            index.catch_up = False
        return index


def forget_indexes() -> None:
    """Drop every cached index (tests and benchmarks that rebuild a catalog call this)."""
    _indexes.clear()
    _info.clear()


# -- building -------------------------------------------------------------------------------


def _load(tenant_id: str, *, write_snapshot: bool) -> CatalogIndex:
    availability = {
        d.id: d.to_dict() or {}
        for d in tenant_collection(tenant_id, "availability").select(AVAILABILITY_FIELDS).stream()
    }
    items = []
    watermark: datetime | None = None
    for doc in tenant_collection(tenant_id, "catalog").select(CATALOG_FIELDS).stream():
        item = item_from_doc(doc.to_dict() or {})
        if item is None:
            continue
        avail = availability.get(item.sku)
        items.append(_trim(item.with_availability(avail) if avail else item))
        watermark = _latest(watermark, (avail or {}).get("updated_at"))
    index = CatalogIndex(tenant_id)
    for item in items:
        index.put(item)
    index.watermark = _latest(index.watermark, watermark)
    index.sheets_stale = _sheets_stale(tenant_id)
    index.loaded_at = index.checked_at = time.monotonic()
    if write_snapshot and items:
        _write_snapshot(index)
    return index


def _trim(item: CatalogItem) -> CatalogItem:
    """The index keeps the start of a long description (replies quote the live document)."""
    if len(item.description) <= DESCRIPTION_CHARS:
        return item
    return replace(item, description=item.description[:DESCRIPTION_CHARS])


def _latest(a: datetime | None, b: Any) -> datetime | None:
    if not isinstance(b, datetime):
        return a
    return b if a is None or b > a else a


def _refresh(index: CatalogIndex) -> int:
    """Apply what changed since the watermark; returns how many documents were read."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    since = index.watermark
    read = 0
    if since is None:
        fresh = _load(index.tenant_id, write_snapshot=False)
        index.items, index.postings, index.watermark = fresh.items, fresh.postings, fresh.watermark
        index.concept_postings, index.item_words = fresh.concept_postings, fresh.item_words
        index.item_concepts, index.name_words = fresh.item_concepts, fresh.name_words
        index._vocab = None
    else:
        newer = FieldFilter("updated_at", ">", since)
        catalog = tenant_collection(index.tenant_id, "catalog").where(filter=newer).select(CATALOG_FIELDS)
        watermark: datetime | None = since
        for doc in catalog.stream():
            read += 1
            data = doc.to_dict() or {}
            item = item_from_doc(data)
            if item is not None:
                old = index.items.get(item.sku)
                index.put(_trim(_keep_availability(item, old)))
        availability = tenant_collection(index.tenant_id, "availability").where(filter=newer)
        for doc in availability.select(AVAILABILITY_FIELDS).stream():
            read += 1
            data = doc.to_dict() or {}
            watermark = _latest(watermark, data.get("updated_at"))
            old = index.items.get(doc.id)
            if old is not None:
                index.put(old.with_availability(data))
        index.watermark = _latest(index.watermark, watermark)
    index.sheets_stale = _sheets_stale(index.tenant_id)
    index.checked_at = time.monotonic()
    return read


def _keep_availability(item: CatalogItem, old: CatalogItem | None) -> CatalogItem:
    if old is None:
        return item
    return replace(
        item,
        status=old.status,
        stock=old.stock,
        days_to_stockout=old.days_to_stockout,
        forecast_confidence=old.forecast_confidence,
        stale=old.stale,
    )


def _sheets_stale(tenant_id: str) -> bool:
    return any(
        (d.to_dict() or {}).get("stale") is True
        for d in tenant_collection(tenant_id, "sheet_state").select(["stale"]).stream()
    )


# -- the compact snapshot -------------------------------------------------------------------


def _row(item: CatalogItem) -> list[Any]:
    return [
        item.sku, item.name, item.category, item.price_minor, item.currency, item.stock, item.status,
        item.active, item.kind, item.description, list(item.tags), item.restock_date,
        item.updated_at.isoformat() if item.updated_at else None, item.days_to_stockout, item.row,
    ]  # fmt: skip


def _item(row: list[Any]) -> CatalogItem:
    (sku, name, category, price, currency, stock, status, active, kind, description, tags, restock,
     updated, days, sheet_row) = row  # fmt: skip
    return CatalogItem(
        sku=sku,
        name=name,
        category=category,
        price_minor=price,
        currency=currency,
        stock=stock,
        status=status,
        active=active,
        kind=kind,
        description=description,
        tags=tuple(tags),
        restock_date=restock,
        updated_at=datetime.fromisoformat(updated) if updated else None,
        days_to_stockout=days,
        row=sheet_row,
    )


def _write_snapshot(index: CatalogIndex) -> None:
    """Store the index's items compactly for the next fresh instance (best effort)."""
    from google.api_core import exceptions

    from shared.storage import write_many

    blob = zlib.compress(
        json.dumps([_row(i) for i in index.items.values()], separators=(",", ":")).encode(), 6
    )
    parts = [blob[i : i + SNAPSHOT_PART_BYTES] for i in range(0, len(blob), SNAPSHOT_PART_BYTES)]
    collection = tenant_collection(index.tenant_id, "catalog_index")
    meta = {
        "parts": len(parts),
        "watermark": index.watermark,
        "built_at": datetime.now(UTC),
        "count": len(index.items),
        "version": _SNAPSHOT_VERSION,
        "sheets_stale": index.sheets_stale,
    }
    try:
        write_many(
            [(collection.document(f"part_{n}"), {"blob": part, "part": n}) for n, part in enumerate(parts)]
            + [(collection.document("meta"), meta)]
        )
    except exceptions.GoogleAPICallError as exc:
        log_event(log, 30, "catalog snapshot not written", tenant_id=index.tenant_id, error=str(exc))


_SNAPSHOT_VERSION = 2


def _from_snapshot(tenant_id: str) -> CatalogIndex | None:
    collection = tenant_collection(tenant_id, "catalog_index")
    meta_snap = collection.document("meta").get()
    meta = meta_snap.to_dict() if meta_snap.exists else None
    if (
        not meta
        or meta.get("version") != _SNAPSHOT_VERSION
        or not isinstance(meta.get("watermark"), datetime)
    ):
        return None
    from shared.clients import firestore_client

    refs = [collection.document(f"part_{n}") for n in range(int(meta["parts"]))]
    parts = {s.id: (s.to_dict() or {}).get("blob") for s in firestore_client().get_all(refs) if s.exists}
    if len(parts) != len(refs) or not all(isinstance(p, bytes) for p in parts.values()):
        return None
    blob = b"".join(parts[f"part_{n}"] for n in range(len(refs)))  # type: ignore[misc]
    index = CatalogIndex(tenant_id)
    for row in json.loads(zlib.decompress(blob)):
        index.put(_item(row))
    index.watermark = meta["watermark"]
    index.sheets_stale = bool(meta.get("sheets_stale", False))
    # The catch-up (what changed since the snapshot) runs on the next message, so the first one
    # is answered at once; the items a reply quotes are re-read live whatever the index says.
    index.loaded_at = time.monotonic()
    index.checked_at = index.loaded_at - REFRESH_S
    index.catch_up = True
    return index


# -- live reads -----------------------------------------------------------------------------


def live_items(tenant_id: str, skus: list[str]) -> list[CatalogItem]:
    """The current catalog + availability of `skus` (one batched read), in the given order."""
    if not skus:
        return []
    from shared.clients import firestore_client

    catalog = tenant_collection(tenant_id, "catalog")
    availability = tenant_collection(tenant_id, "availability")
    refs = [catalog.document(s) for s in skus] + [availability.document(s) for s in skus]
    docs: dict[str, dict[str, Any]] = {}
    for snap in firestore_client().get_all(refs):
        if snap.exists:
            docs[snap.reference.path] = snap.to_dict() or {}
    items = []
    for sku in skus:
        data = docs.get(catalog.document(sku).path)
        item = item_from_doc(data) if data else None
        if item is None:
            continue
        avail = docs.get(availability.document(sku).path)
        items.append(item.with_availability(avail) if avail else item)
    return items


def free_slots(tenant_id: str, skus: list[str], *, now: datetime, limit: int = 60) -> list[Slot]:
    """Free slots of the bookable `skus` that start after `now` (the shop's local time)."""
    if not skus:
        return []
    from google.cloud.firestore_v1.base_query import FieldFilter

    today = now.date().isoformat()
    # One equality filter only (no composite index needed); past days are dropped here.
    query = tenant_collection(tenant_id, "slots").where(filter=FieldFilter("sku", "in", skus[:10])).limit(400)
    slots = []
    clock = now.strftime("%H:%M")
    for doc in query.stream():
        data = doc.to_dict() or {}
        free = data.get("free")
        if free is None and isinstance(data.get("capacity"), int):
            free = data["capacity"] - int(data.get("booked") or 0)
        day, start = str(data.get("date", "")), str(data.get("start", ""))
        if not isinstance(free, int) or free <= 0 or day < today or (day == today and start <= clock):
            continue
        slots.append(Slot(doc.id, str(data["sku"]), day, start, free))
    return sorted(slots, key=lambda s: (s.date, s.start))[:limit]


def info_entries(tenant_id: str) -> list[InfoEntry]:
    """The shop's Info tab (cached for a minute per instance)."""
    cached = _info.get(tenant_id)
    now = time.monotonic()
    if cached is not None and now - cached[0] < INFO_TTL_S:
        return cached[1]
    entries = []
    for doc in tenant_collection(tenant_id, "info").stream():
        data = doc.to_dict() or {}
        if data.get("answer"):
            entries.append(InfoEntry(doc.id, str(data.get("topic") or doc.id), str(data["answer"])))
    _info[tenant_id] = (now, entries)
    return entries
