"""A per-instance, incrementally refreshed index of a tenant's catalog, for retrieval.

Design (the worker must stay ~100 ms even for a 10,000-item catalog):
- The first message of a tenant on an instance loads `catalog` and `availability` once and builds
  an inverted token index in memory.
- After that, at most every `REFRESH_S` seconds, only documents whose `updated_at` moved past the
  index's watermark are read (two range queries that return nothing when the sheet is quiet).
- Every `FULL_RELOAD_S` the index is rebuilt, which also drops deleted SKUs.
- The few items a reply actually quotes are re-read live (`live_items`), so prices and stock in a
  reply are never older than the message.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from shared.cache import ByteLRU
from shared.settings import get_settings
from shared.storage import tenant_collection

REFRESH_S = 5.0
FULL_RELOAD_S = 300.0
_WORD = re.compile(r"[a-z0-9]+")
_STOP_TEXT = """a an the and or of for to in on at is are do does did you your we i me my it its this that
    have has any some with what which how much many can could would please pls hi hello hey there
    still be get got want need price cost stock available availability left"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def tokens(text: str) -> list[str]:
    """Lower-case word tokens without stopwords; plural `s` stripped so jackets ~ jacket."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


@dataclass(frozen=True)
class CatalogItem:
    sku: str
    name: str
    category: str = ""
    price_minor: int | None = None
    currency: str = "USD"
    stock: int | None = None
    status: str = "unknown"  # in_stock | low | out | unknown
    active: bool = True
    kind: str = "product"
    description: str = ""
    updated_at: datetime | None = None
    days_to_stockout: float | None = None
    forecast_confidence: float | None = None
    stale: bool = False

    @property
    def available(self) -> bool:
        return self.active and self.status in ("in_stock", "low")

    def with_availability(self, data: dict[str, Any]) -> CatalogItem:
        return replace(
            self,
            status=data.get("status") or self.status,
            stock=data.get("stock", self.stock),
            days_to_stockout=data.get("days_to_stockout"),
            forecast_confidence=data.get("confidence"),
            stale=bool(data.get("stale", False)),
        )


def item_from_doc(data: dict[str, Any]) -> CatalogItem | None:
    """A CatalogItem from a `catalog/{sku}` document, or None if it lacks a sku/name."""
    if not data.get("sku") or not data.get("name"):
        return None
    stock = data.get("stock")
    return CatalogItem(
        sku=str(data["sku"]),
        name=str(data["name"]),
        category=str(data.get("category") or ""),
        price_minor=data.get("price_minor") if isinstance(data.get("price_minor"), int) else None,
        currency=str(data.get("currency") or "USD"),
        stock=stock if isinstance(stock, int) else None,
        status=str(data.get("status") or "unknown"),
        active=bool(data.get("active", True)),
        kind=str(data.get("kind") or "product"),
        description=str(data.get("description") or ""),
        updated_at=data.get("updated_at"),
    )


@dataclass
class CatalogIndex:
    tenant_id: str
    items: dict[str, CatalogItem] = field(default_factory=dict)
    postings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    watermark: datetime | None = None
    loaded_at: float = 0.0
    checked_at: float = 0.0
    sheets_stale: bool = False

    # -- building ---------------------------------------------------------------------------
    def put(self, item: CatalogItem) -> None:
        old = self.items.get(item.sku)
        if old is not None:
            for token in self._item_tokens(old):
                self.postings[token].discard(old.sku)
        self.items[item.sku] = item
        for token in self._item_tokens(item):
            self.postings[token].add(item.sku)
        if item.updated_at and (self.watermark is None or item.updated_at > self.watermark):
            self.watermark = item.updated_at

    @staticmethod
    def _item_tokens(item: CatalogItem) -> set[str]:
        return set(tokens(f"{item.name} {item.category} {item.sku}"))

    # -- searching --------------------------------------------------------------------------
    def search(self, text: str, k: int = 5) -> list[tuple[CatalogItem, float]]:
        """The `k` items whose name/category/SKU best match `text`, best first, with scores."""
        query = tokens(text)
        if not query:
            return []
        n = max(len(self.items), 1)
        scores: dict[str, float] = defaultdict(float)
        for token in set(query):
            skus = self.postings.get(token)
            if not skus:
                continue
            idf = math.log(1 + n / len(skus))
            for sku in skus:
                scores[sku] += idf
        for sku in list(scores):
            item = self.items[sku]
            name_tokens = set(tokens(item.name))
            scores[sku] += 0.5 * len(name_tokens & set(query)) / max(len(name_tokens), 1)
            if not item.active:
                del scores[sku]
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [(self.items[sku], score) for sku, score in best]

    def alternatives(self, item: CatalogItem | None, text: str, k: int = 3) -> list[CatalogItem]:
        """The closest in-stock items: same category first, then by word overlap, then price."""
        wanted = set(tokens(text)) | (set(tokens(f"{item.name} {item.category}")) if item else set())
        candidates: set[str] = set()
        for token in wanted:
            candidates |= self.postings.get(token, set())
        if item is not None and item.category:
            candidates |= (
                self.postings.get(tokens(item.category)[0], set()) if tokens(item.category) else set()
            )
        pool = [
            self.items[s] for s in candidates if self.items[s].available and (item is None or s != item.sku)
        ]

        def rank(other: CatalogItem) -> tuple[int, int, int, str]:
            same_category = int(item is not None and other.category == item.category)
            overlap = len(wanted & set(tokens(f"{other.name} {other.category}")))
            gap = abs((other.price_minor or 0) - (item.price_minor or 0)) if item else 0
            return (-same_category, -overlap, gap, other.sku)

        return sorted(pool, key=rank)[:k]

    def services(self, k: int = 5) -> list[CatalogItem]:
        """Bookable services, to offer when a booking request matched none."""
        return sorted(
            (i for i in self.items.values() if i.kind == "service" and i.available), key=lambda i: i.name
        )[:k]

    def popular(self, k: int = 3) -> list[CatalogItem]:
        """Some in-stock items to offer when nothing matched (highest stock first)."""
        pool = [i for i in self.items.values() if i.available]
        return sorted(pool, key=lambda i: (-(i.stock or 0), i.sku))[:k]


# Bounded by bytes (CATALOG_CACHE_MB): an instance serving thousands of shops keeps the most
# recently used indexes and reloads an evicted one like a first message (shared/cache.py).
_indexes: ByteLRU[str, CatalogIndex] = ByteLRU(lambda: get_settings().catalog_cache_mb * 2**20)
_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)


def catalog_index(tenant_id: str) -> CatalogIndex:
    """The tenant's index on this instance, loaded or refreshed as needed."""
    with _locks[tenant_id]:
        index = _indexes.get(tenant_id)
        now = time.monotonic()
        if index is None or now - index.loaded_at > FULL_RELOAD_S:
            index = _load(tenant_id)
            _indexes[tenant_id] = index
        elif now - index.checked_at > REFRESH_S:
            _refresh(index)
        return index


def forget_indexes() -> None:
    """Drop every cached index (tests and benchmarks that rebuild a catalog call this)."""
    _indexes.clear()


# Only the fields the index uses are read (availability documents also carry a stock history).
CATALOG_FIELDS = [
    "sku",
    "name",
    "category",
    "price_minor",
    "currency",
    "stock",
    "status",
    "active",
    "kind",
    "updated_at",
]
AVAILABILITY_FIELDS = ["status", "stock", "days_to_stockout", "confidence", "stale", "updated_at"]


def _load(tenant_id: str) -> CatalogIndex:
    index = CatalogIndex(tenant_id)
    availability = {
        d.id: d.to_dict() or {}
        for d in tenant_collection(tenant_id, "availability").select(AVAILABILITY_FIELDS).stream()
    }
    for doc in tenant_collection(tenant_id, "catalog").select(CATALOG_FIELDS).stream():
        item = item_from_doc(doc.to_dict() or {})
        if item is not None:
            index.put(item.with_availability(availability[item.sku]) if item.sku in availability else item)
    index.sheets_stale = _sheets_stale(tenant_id)
    index.loaded_at = index.checked_at = time.monotonic()
    return index


def _refresh(index: CatalogIndex) -> None:
    from google.cloud.firestore_v1.base_query import FieldFilter

    since = index.watermark
    if since is not None:
        newer = FieldFilter("updated_at", ">", since)
        for doc in (
            tenant_collection(index.tenant_id, "catalog").where(filter=newer).select(CATALOG_FIELDS).stream()
        ):
            item = item_from_doc(doc.to_dict() or {})
            if item is not None:
                old = index.items.get(item.sku)
                index.put(_keep_availability(item, old))
        availability = tenant_collection(index.tenant_id, "availability").where(filter=newer)
        for doc in availability.select(AVAILABILITY_FIELDS).stream():
            old = index.items.get(doc.id)
            if old is not None:
                index.put(old.with_availability(doc.to_dict() or {}))
    else:
        fresh = _load(index.tenant_id)
        index.items, index.postings, index.watermark = fresh.items, fresh.postings, fresh.watermark
    index.sheets_stale = _sheets_stale(index.tenant_id)
    index.checked_at = time.monotonic()


def _keep_availability(item: CatalogItem, old: CatalogItem | None) -> CatalogItem:
    if old is None:
        return item
    return replace(
        item,
        days_to_stockout=old.days_to_stockout,
        forecast_confidence=old.forecast_confidence,
        stale=old.stale,
    )


def _sheets_stale(tenant_id: str) -> bool:
    return any(
        (d.to_dict() or {}).get("stale") is True for d in tenant_collection(tenant_id, "sheet_state").stream()
    )


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
