"""The sheet's catalog kept in step with the tenant's Meta Commerce catalog (`meta_catalog_id`),
so that WhatsApp's catalog, product messages and carts show what the sheet says.

Graph `POST /{catalog_id}/items_batch` (`item_type=PRODUCT_ITEM`), at most 3,000 requests a
call: an `UPDATE` (an upsert) for each item whose feed fields changed since the last sync, a
`DELETE` for each SKU that left the sheet or was switched off. Retailer id = SKU, so a cart sent
from WhatsApp names our SKUs. Diff-only, like the poller: `meta_catalog/{sku}` keeps the hash of
what Meta last accepted. Each call returns a handle; `GET /{catalog_id}/check_batch_request_status`
is polled until the batch is finished, and an item Meta refused is left unsynced (retried next
time, its error kept in `meta_catalog/{sku}.error`). Unfinished handles wait in
`meta_catalog_batches/{handle}` for the next commerce tick.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.errors import ConfigError, PermanentError, TransientError
from shared.log import get_logger, log_event
from shared.money import to_decimal
from shared.storage import chunks, tenant_collection, utcnow, write_many

if TYPE_CHECKING:
    from shared.tenants import TenantConfig
    from shared.whatsapp.outbound import OutboundMessage

log = get_logger(__name__)
MAX_ITEMS_PER_REQUEST = 3000
STATE = "meta_catalog"
BATCHES = "meta_catalog_batches"
POLLS = 5
POLL_PAUSE_S = 0.5


def item_fields(
    item: Mapping[str, Any], availability: Mapping[str, Any] | None, *, link: str
) -> dict[str, Any]:
    """Meta's feed fields for one catalog document (pure). `availability` follows what can be
    sold now: stock less what orders hold."""
    avail = availability or {}
    free = avail.get("available", avail.get("stock"))
    in_stock = avail.get("status", item.get("status")) != "out" and (free is None or int(free) > 0)
    fields: dict[str, Any] = {
        "id": item["sku"],
        "title": str(item.get("name") or item["sku"])[:150],
        "description": str(item.get("description") or item.get("name") or item["sku"])[:5000],
        "availability": "in stock" if in_stock else "out of stock",
        "condition": "new",
        "price": f"{to_decimal(int(item.get('price_minor') or 0), str(item['currency']))} {item['currency']}",
        "link": link,
    }
    if isinstance(free, int):
        fields["inventory"] = max(free, 0)
    if item.get("category"):
        fields["product_type"] = str(item["category"])[:750]
    if item.get("image_url"):
        fields["image_link"] = str(item["image_url"])
    return fields


def fields_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class CatalogDiff:
    updates: list[dict[str, Any]] = field(default_factory=list)  # feed fields, with their hash
    deletes: list[str] = field(default_factory=list)

    def requests(self) -> list[dict[str, Any]]:
        """The items_batch `requests`, updates first."""
        out = [{"method": "UPDATE", "data": u["fields"]} for u in self.updates]
        return out + [{"method": "DELETE", "data": {"id": sku}} for sku in self.deletes]


def diff_catalog(
    items: Iterable[Mapping[str, Any]],
    availability: Mapping[str, Mapping[str, Any]],
    synced: Mapping[str, str],
    *,
    link: str,
) -> CatalogDiff:
    """What to send: items whose fields differ from the synced hash; SKUs synced but gone
    (removed from the sheet, inactive, or services, which WhatsApp's catalog cannot sell)."""
    diff = CatalogDiff()
    current: set[str] = set()
    for item in items:
        if item.get("active") is False or item.get("kind") == "service" or "currency" not in item:
            continue
        fields = item_fields(item, availability.get(item["sku"]), link=link)
        current.add(item["sku"])
        digest = fields_hash(fields)
        if synced.get(item["sku"]) != digest:
            diff.updates.append({"fields": fields, "hash": digest})
    diff.deletes = sorted(sku for sku in synced if sku not in current)
    return diff


class GraphCatalog:
    """The two Graph calls, through the pooled httpx client (errors as the project splits them)."""

    def __init__(self, base_url: str, token: str, catalog_id: str) -> None:
        self.base = f"{base_url.rstrip('/')}/{catalog_id}"
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        import httpx

        from shared.clients import http_client

        try:
            response = http_client().request(method, f"{self.base}/{path}", headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            raise TransientError(f"Graph catalog API unreachable: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code == 200:
            return dict(data)
        error = data.get("error") or {}
        reason = (
            f"Graph catalog API {response.status_code} code {error.get('code')}: {error.get('message', '')}"
        )
        if response.status_code == 429 or response.status_code >= 500 or error.get("code") in (4, 17, 80004):
            raise TransientError(reason)
        raise PermanentError(reason)

    def send(self, requests: list[dict[str, Any]]) -> str:
        data = self._call("POST", "items_batch", json={"item_type": "PRODUCT_ITEM", "requests": requests})
        return str(data["handles"][0])

    def status(self, handle: str) -> dict[str, Any]:
        data = self._call("GET", "check_batch_request_status", params={"handle": handle})
        return dict((data.get("data") or [{}])[0])


@dataclass
class SyncResult:
    sent: int = 0
    deleted: int = 0
    batches: int = 0
    finished: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # sku -> Meta's error


def sync_meta_catalog(tenant: TenantConfig, *, graph: GraphCatalog | None = None) -> SyncResult:
    """Send the tenant's catalog changes to its Meta catalog and follow the batches up."""
    from shared.settings import get_settings, secret

    result = SyncResult()
    if not tenant.meta_catalog_id:
        return result
    if graph is None:
        token = secret("whatsapp_access_token")
        if token is None:
            raise ConfigError("missing required setting: set WHATSAPP_ACCESS_TOKEN (catalog_management)")
        graph = GraphCatalog(get_settings().whatsapp_api_base, token, tenant.meta_catalog_id)
    tid = tenant.tenant_id
    state_col = tenant_collection(tid, STATE)
    synced = {s.id: str((s.to_dict() or {}).get("hash") or "") for s in state_col.stream()}
    items = [s.to_dict() or {} for s in tenant_collection(tid, "catalog").stream()]
    availability = {s.id: s.to_dict() or {} for s in tenant_collection(tid, "availability").stream()}
    link = tenant.shop_url or f"https://wa.me/{tenant.phone_number_id}"
    diff = diff_catalog(items, availability, synced, link=link)
    hashes = {u["fields"]["id"]: u["hash"] for u in diff.updates}
    now = utcnow()
    for requests in chunks(diff.requests(), MAX_ITEMS_PER_REQUEST):
        handle = graph.send(requests)
        skus = [r["data"]["id"] for r in requests]
        tenant_collection(tid, BATCHES).document(handle).set({"skus": skus, "sent_at": now, "status": "sent"})
        result.batches += 1
    result.sent, result.deleted = len(diff.updates), len(diff.deletes)
    _follow_batches(tid, graph, hashes, result)
    log_event(
        log,
        20,
        "meta catalog synced",
        tenant_id=tid,
        **{k: v for k, v in vars(result).items() if k != "refused"},
    )
    return result


def _follow_batches(tenant_id: str, graph: GraphCatalog, hashes: dict[str, str], result: SyncResult) -> None:
    """Poll the open batches a few times; record what Meta accepted (or refused)."""
    batches = tenant_collection(tenant_id, BATCHES)
    state_col = tenant_collection(tenant_id, STATE)
    for attempt in range(POLLS):
        open_batches = [(s.id, s.to_dict() or {}) for s in batches.stream()]
        if not open_batches:
            return
        for handle, batch in open_batches:
            status = graph.status(handle)
            if status.get("status") not in ("finished", "error"):
                continue
            refused = {
                str(e.get("id") or e.get("retailer_id") or ""): str(e.get("message") or "refused")
                for e in status.get("errors") or []
            }
            result.refused |= refused
            now = utcnow()
            writes: list[tuple[Any, dict[str, Any] | None]] = []
            for sku in batch.get("skus", []):
                if sku in refused:
                    writes.append((state_col.document(sku), {"hash": None, "error": refused[sku], "at": now}))
                elif sku in hashes:
                    writes.append((state_col.document(sku), {"hash": hashes[sku], "error": None, "at": now}))
                else:  # a DELETE, or an update sent by an earlier run: re-checked next time
                    writes.append((state_col.document(sku), None))
            writes.append((batches.document(handle), None))
            write_many(writes)
            result.finished += 1
        if attempt < POLLS - 1:
            time.sleep(POLL_PAUSE_S)


def as_product_message(message: OutboundMessage, catalog_id: str, synced: Iterable[str]) -> OutboundMessage:
    """A reply listing catalog items, as WhatsApp `product`/`product_list` message the customer
    can add to a cart, when the shop's items are in its Meta catalog. Only SKUs Meta accepted are
    shown (an unknown retailer id fails the whole message); a reply with other rows, or none of
    its items synced, stays as it is."""
    from shared.whatsapp.outbound import ProductSection

    skus = [row.id.partition(":")[2] for row in message.rows if row.id.startswith("item:")]
    if not skus or len(skus) != len(message.rows):
        return message
    accepted = set(synced)
    shown = tuple(sku for sku in skus if sku in accepted)
    if not shown:
        return message
    section = ProductSection(title=message.list_button[:24] or "Items", skus=shown)
    header = message.text.split("\n", 1)[0][:60]
    return message.model_copy(
        update={"rows": (), "catalog_id": catalog_id, "products": (section,), "header": header}
    )


def synced_skus(tenant_id: str, skus: Iterable[str]) -> set[str]:
    """The SKUs among `skus` that Meta's catalog holds (their last sync was accepted)."""
    from shared.clients import firestore_client

    col = tenant_collection(tenant_id, STATE)
    snaps = firestore_client().get_all([col.document(s) for s in dict.fromkeys(skus)])
    return {s.id for s in snaps if s.exists and (s.to_dict() or {}).get("hash")}
