"""The served sheet_poller functions over real HTTP / Pub/Sub push: the signed Apps Script push
(good, bad, missing, replayed signature) reaching a Firestore on_snapshot listener, and the
Scheduler tick."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from shared.events import TOPIC_SHEET_POLL_TICKS, Tick
from shared.pubsub import publish
from shared.sheets.push import SIGNATURE_HEADER, push_secret, sign
from shared.storage import tenant_collection
from shared.tenants import TenantConfig, save_tenant
from tests.integration.test_poll_catalog import rows, write_csv

PUSH_URL = f"http://127.0.0.1:{os.environ.get('SHEET_PUSH_PORT', '8083')}/"


def secret(tenant_id: str) -> str:
    """The shop's own push secret, as `python -m shared.cli tenant push-secret T` prints it."""
    return push_secret(tenant_id)


@pytest.fixture
def shop(tenant_id: str, tmp_path: Path, emulators: dict[str, str]) -> Path:
    sheet = tmp_path / "catalog.csv"
    write_csv(sheet, rows())
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id=f"pn-{tenant_id}", source=f"file:{sheet}"))
    return sheet


def push_body(tenant_id: str) -> bytes:
    # Each onEdit sends its own event id, so two edits in the same second sign differently.
    return json.dumps({"tenant": tenant_id, "edited_rows": [2], "event_id": uuid.uuid4().hex}).encode()


def push(body: bytes, header: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers[SIGNATURE_HEADER] = header
    return httpx.post(PUSH_URL, content=body, headers=headers, timeout=30)


def test_signed_push_reaches_a_listener_and_bad_ones_are_refused(tenant_id: str, shop: Path) -> None:
    body = push_body(tenant_id)
    first = push(body, sign(body, secret(tenant_id)))
    assert first.status_code == 200, first.text
    assert first.json()["valid"] == 12

    seen = threading.Event()
    prices: list[int] = []

    def on_change(snapshots, _changes, _read_time) -> None:
        for snap in snapshots:
            prices.append(snap.to_dict()["price_minor"])
            if snap.to_dict()["price_minor"] == 4200:
                seen.set()

    watch = tenant_collection(tenant_id, "catalog").document("JKT-001").on_snapshot(on_change)
    try:
        data = rows()
        data[0][3] = "$42.00"
        write_csv(shop, data)
        started = time.monotonic()
        body = push_body(tenant_id)
        response = push(body, sign(body, secret(tenant_id)))
        assert response.status_code == 200, response.text
        assert response.json()["changed"] == 1
        assert seen.wait(5), prices
        assert time.monotonic() - started < 2.0
    finally:
        watch.unsubscribe()

    exact_replay = push(body, response.request.headers[SIGNATURE_HEADER])
    assert exact_replay.status_code == 409 and "replayed" in exact_replay.json()["error"]
    assert push(body, sign(body, "wrong-secret")).status_code == 401
    assert push(body, None).status_code == 401
    other_body = b'{"tenant": "' + tenant_id.encode() + b'"}'
    assert push(other_body, sign(body, secret(tenant_id))).status_code == 401
    stale = sign(body, secret(tenant_id), timestamp=int(time.time()) - 3600)
    assert push(body, stale).status_code == 401


def test_one_shops_secret_opens_only_that_shop(tenant_id: str, shop: Path, tmp_path: Path) -> None:
    other = f"{tenant_id}-b"
    save_tenant(TenantConfig(tenant_id=other, phone_number_id=f"pn-{other}", source=f"file:{shop}"))
    mine, theirs = secret(tenant_id), secret(other)
    assert mine != theirs and secret(tenant_id) == mine  # created once, then the same
    forged = push_body(other)
    refused = push(forged, sign(forged, mine))
    assert refused.status_code == 401
    unknown = json.dumps({"tenant": "no-such-tenant-x"}).encode()
    not_a_shop = push(unknown, sign(unknown, mine))
    # An unknown shop and a wrong secret look the same: shop names cannot be enumerated.
    assert (not_a_shop.status_code, not_a_shop.json()) == (refused.status_code, refused.json())
    assert not list(tenant_collection(other, "sheet_pushes").stream())
    body = push_body(other)
    assert push(body, sign(body, theirs)).status_code == 200
    rotated = push_secret(other, rotate=True)
    body = push_body(other)
    assert push(body, sign(body, theirs)).status_code == 401
    assert push(body, sign(body, rotated)).status_code == 200


def test_a_scheduler_tick_polls_the_tenant(tenant_id: str, shop: Path) -> None:
    publish(TOPIC_SHEET_POLL_TICKS, Tick(job="poll-sheets", tenant_id=tenant_id))
    catalog = tenant_collection(tenant_id, "catalog")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(list(catalog.limit(20).stream())) == 12:
            break
        time.sleep(0.3)
    assert len(list(catalog.stream())) == 12
