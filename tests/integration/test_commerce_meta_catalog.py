"""The sheet's catalog synced to a Meta Commerce catalog through the Catalog Batch API stand-in:
retailer id = SKU, only what changed, at most 3,000 items a request, batches polled until
finished, refused items retried, stock held by orders shown as such."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.clients import reset_clients
from shared.commerce.cart import CartLine
from shared.commerce.meta_catalog import sync_meta_catalog
from shared.commerce.orders import place_order
from shared.sheets.poll import poll_tenant
from shared.storage import tenant_collection, utcnow, write_many
from shared.tenants import TenantConfig, get_tenant, save_tenant
from tests.standins import CatalogStandIn

CATALOG_ID = "784512903311467"
ROWS = [
    ["SKU", "Name", "Price", "Stock", "Description", "Type", "Slots"],
    ["TEE-1", "Graphic Tee", "$25.00", "2", "Soft cotton", "", ""],
    ["CAP-2", "Cap", "$12.50", "9", "", "", ""],
    ["CUT-3", "Haircut", "$30", "", "", "Service", "2099-01-05 10:00 0/1"],
]


@pytest.fixture
def meta(monkeypatch: pytest.MonkeyPatch, emulators: dict[str, str]) -> Iterator[CatalogStandIn]:
    with CatalogStandIn().running() as standin:
        monkeypatch.setenv("WHATSAPP_API_BASE", standin.url)
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "catalog-token")
        reset_clients()
        yield standin


@pytest.fixture
def shop(tenant_id: str, tmp_path: Path, meta: CatalogStandIn) -> Path:
    sheet = tmp_path / "shop.csv"
    with sheet.open("w", newline="") as f:
        csv.writer(f).writerows(ROWS)
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id="15550000001",
            source=f"file:{sheet}",
            meta_catalog_id=CATALOG_ID,
            shop_url="https://shop.example/",
        )
    )
    assert poll_tenant(tenant_id).valid == 3
    return sheet


def _posts(meta: CatalogStandIn) -> list[dict]:
    return [body for path, _, body in meta.requests if path.endswith("/items_batch")]


def test_products_are_synced_once_and_then_only_what_changed(
    tenant_id: str, shop: Path, meta: CatalogStandIn
) -> None:
    result = sync_meta_catalog(get_tenant(tenant_id))
    assert (result.sent, result.batches, result.finished) == (2, 1, 1)
    assert meta.requests[0][0] == f"/{CATALOG_ID}/items_batch"
    assert meta.requests[0][1]["authorization"] == "Bearer catalog-token"
    assert set(meta.items) == {"TEE-1", "CAP-2"}  # a service cannot be sold from WhatsApp's catalog
    tee = meta.items["TEE-1"]
    assert (tee["price"], tee["availability"], tee["inventory"], tee["link"]) == (
        "25.00 USD", "in stock", 2, "https://shop.example/"
    )  # fmt: skip
    assert sync_meta_catalog(get_tenant(tenant_id)).sent == 0
    assert len(_posts(meta)) == 1  # nothing changed: nothing sent

    # The last two tees are ordered: Meta's catalog says they are gone.
    place_order(
        tenant_id, customer_key="k", wa_id="k", profile_name=None, lines=[CartLine("TEE-1", 2)],
        source="chat", idempotency_key="wamid.last",
    )  # fmt: skip
    assert sync_meta_catalog(get_tenant(tenant_id)).sent == 1
    assert _posts(meta)[-1]["requests"] == [{"method": "UPDATE", "data": meta.items["TEE-1"]}]
    assert (meta.items["TEE-1"]["availability"], meta.items["TEE-1"]["inventory"]) == ("out of stock", 0)

    # The cap leaves the sheet (the no-wipe rule needs most rows to stay).
    with shop.open("w", newline="") as f:
        csv.writer(f).writerows([r for r in ROWS if r[0] != "CAP-2"])
    stat = shop.stat()
    os.utime(shop, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    poll_tenant(tenant_id)
    assert sync_meta_catalog(get_tenant(tenant_id)).deleted == 1
    assert set(meta.items) == {"TEE-1"}


def test_large_catalogs_go_in_requests_of_at_most_3000(
    tenant_id: str, shop: Path, meta: CatalogStandIn
) -> None:
    now = utcnow()
    catalog = tenant_collection(tenant_id, "catalog")
    docs = [
        {"sku": f"B-{i:05d}", "name": f"Bulk item {i}", "price_minor": 100 + i, "currency": "USD",
         "active": True, "kind": "product", "status": "in_stock", "updated_at": now}
        for i in range(3500)
    ]  # fmt: skip
    write_many((catalog.document(d["sku"]), d) for d in docs)
    result = sync_meta_catalog(get_tenant(tenant_id))
    sizes = [len(body["requests"]) for body in _posts(meta)]
    assert sizes == [3000, 502] and result.finished == 2
    assert len(meta.items) == 3502


def test_items_meta_refuses_are_kept_unsynced_and_sent_again(
    tenant_id: str, shop: Path, meta: CatalogStandIn
) -> None:
    meta.REQUIRED = (*CatalogStandIn.REQUIRED, "image_link")  # this catalog insists on images
    result = sync_meta_catalog(get_tenant(tenant_id))
    assert set(result.refused) == {"TEE-1", "CAP-2"}
    state = tenant_collection(tenant_id, "meta_catalog").document("TEE-1").get().to_dict() or {}
    assert state["hash"] is None and "image_link" in state["error"]
    meta.REQUIRED = CatalogStandIn.REQUIRED
    assert sync_meta_catalog(get_tenant(tenant_id)).sent == 2
    assert set(meta.items) == {"TEE-1", "CAP-2"}
