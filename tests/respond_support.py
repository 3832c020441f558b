"""Helpers for the respond integration tests: a tenant with its own phone_number_id and
catalog (written in the sheet_poller's document shape), signed posts to the served webhook,
and waiting for what the served worker stores."""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import httpx

from shared.storage import tenant_collection, utcnow
from shared.tenants import TenantConfig, save_tenant
from shared.whatsapp.signature import meta_signature
from tests.conftest import DATA

T = TypeVar("T")
SECRET = os.environ.get("WHATSAPP_APP_SECRET", "local-app-secret")
RECORDED_WA_ID = "16505551234"

CATALOG = [
    # sku, name, category, price_minor, stock, status, kind
    ("JKT-001", "Denim Jacket", "Jackets", 8900, 14, "in_stock", "product"),
    ("JKT-002", "Black Denim Jacket", "Jackets", 9500, 0, "out", "product"),
    ("JKT-004", "Rain Shell", "Jackets", 7500, 3, "low", "product"),
    ("TOP-001", "White T-Shirt", "Tops", 1500, 40, "in_stock", "product"),
    ("SRV-001", "Tailoring Session", "Services", 3000, None, "in_stock", "service"),
]


def webhook_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('WEBHOOK_PORT', '8081')}/"


def make_tenant(tenant_id: str, **fields: Any) -> TenantConfig:
    config = TenantConfig(
        tenant_id=tenant_id,
        phone_number_id=str(random.randint(10**14, 10**15 - 1)),
        source="file:/dev/null",
        business_name="Test Outfitters",
        **fields,
    )
    save_tenant(config)
    return config


def catalog_doc(
    sku: str, name: str, category: str, price: int, stock: int | None, status: str, kind: str
) -> dict:
    return {
        "sku": sku,
        "name": name,
        "category": category,
        "price_minor": price,
        "currency": "USD",
        "stock": stock,
        "status": status,
        "active": True,
        "updated_at": utcnow(),
        "source_row": 2,
        "kind": kind,
    }


def write_catalog(tenant_id: str, rows: list[tuple] = CATALOG) -> None:
    for row in rows:
        doc = catalog_doc(*row)
        tenant_collection(tenant_id, "catalog").document(doc["sku"]).set(doc)
        tenant_collection(tenant_id, "availability").document(doc["sku"]).set(
            {
                "status": doc["status"],
                "stock": doc["stock"],
                "days_to_stockout": None,
                "confidence": None,
                "updated_at": doc["updated_at"],
            }
        )


def recorded(name: str, phone_number_id: str, wa_id: str = RECORDED_WA_ID) -> bytes:
    """A recorded payload with this tenant's phone_number_id and the given customer, sent now."""
    text = (DATA / "whatsapp" / f"{name}.json").read_text()
    # Recorded in November 2024: re-stamped to now, so they are not taken for an outage's backlog.
    now = int(time.time())
    text = re.sub(
        r'"timestamp": "17325(\d{5})"', lambda m: f'"timestamp": "{now - 300 + int(m[1]) % 1000}"', text
    )
    return text.replace("__PHONE_NUMBER_ID__", phone_number_id).replace(RECORDED_WA_ID, wa_id).encode()


def text_payload(
    phone_number_id: str, wa_id: str, message_id: str, text: str, *, button: str | None = None
) -> bytes:
    from shared.cli.chat import meta_payload

    return json.dumps(meta_payload(phone_number_id, wa_id, message_id, text, button)).encode()


def post_signed(
    body: bytes, *, secret: str = SECRET, headers: dict[str, str] | None = None
) -> httpx.Response:
    sent = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)}
    return httpx.post(webhook_url(), content=body, headers=sent | (headers or {}), timeout=10)


def wait_for(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.2) -> T:
    """Poll `check` until it returns something truthy; fail with the last value after `timeout`."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = check()
    assert value, f"condition not met within {timeout} s"
    return value


def key_of(tenant_id: str, wa_id: str) -> str:
    """The conversation key the webhook gives the customer with this phone number: the number
    itself for a conversation from before customer keys (stored directly by a test), else the
    new key (`shared.messaging.identity`), read without the per-instance cache."""
    from shared.messaging.identity import ALIASES, CustomerIds, new_key

    alias = tenant_collection(tenant_id, ALIASES).document(f"p:{wa_id}").get()
    if alias.exists:
        return str(alias.to_dict()["customer_key"])
    if tenant_collection(tenant_id, "conversations").document(wa_id).get().exists:
        return wa_id
    return new_key(tenant_id, CustomerIds(phone=wa_id))


def conv(tenant_id: str, wa_id: str) -> Any:
    """The conversation document of the customer with this phone number."""
    from shared.messaging.store import conversation_ref

    return conversation_ref(tenant_id, key_of(tenant_id, wa_id))


def messages(tenant_id: str, wa_id: str, direction: str | None = None) -> list[dict[str, Any]]:
    from shared.messaging.store import messages_ref

    docs = [d.to_dict() | {"id": d.id} for d in messages_ref(tenant_id, key_of(tenant_id, wa_id)).stream()]
    return sorted(
        (d for d in docs if direction is None or d["direction"] == direction), key=lambda d: d["at"]
    )


def replies(tenant_id: str, wa_id: str) -> list[dict[str, Any]]:
    return messages(tenant_id, wa_id, "out")


def reply_to(tenant_id: str, wa_id: str, message_id: str, timeout: float = 15.0) -> dict[str, Any]:
    return wait_for(
        lambda: next((r for r in replies(tenant_id, wa_id) if message_id in r.get("covers", [])), None),
        timeout,
    )


def store_inbound_directly(tenant_id: str, wa_id: str, message_id: str, text: str, **extra: Any) -> None:
    """An inbound message stored as the webhook stores it, without telling the served worker
    (for tests that run the worker's domain function in-process with their own settings)."""
    from google.cloud import firestore

    from shared.messaging.store import conversation_ref

    now = utcnow()
    conversation = conversation_ref(tenant_id, wa_id)
    conversation.collection("messages").document(message_id).set(
        {
            "direction": "in",
            "type": "text",
            "text": text,
            "payload": extra.get("payload"),
            "at": now,
            "received_at": now,
            "channel": "meta",
        }
    )
    conversation.set(
        {
            "wa_id": wa_id,
            "last_inbound_at": now,
            "window_expires_at": now + timedelta(hours=24),
            "last_message_at": now,
            "pending_inbound": firestore.ArrayUnion([message_id]),
        },
        merge=True,
    )
