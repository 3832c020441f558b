"""The local dashboard server: runtime config, single-page fallback, the chat simulator's guard rails."""

from __future__ import annotations

import os
from typing import Any

import httpx

from tests.browser.conftest import conversation_of, dashboard_url


def test_config_names_the_emulator_the_page_must_use(emulators: dict[str, str]) -> None:
    config = httpx.get(dashboard_url() + "config.json", timeout=5).json()
    host, port = os.environ["FIRESTORE_EMULATOR_HOST"].rsplit(":", 1)
    assert config["mode"] == "emulator"
    assert config["firestoreEmulator"] == {"host": host, "port": int(port)}
    assert config["tenant"] == "demo" and config["simulator"] is True


def test_deep_links_load_the_page_and_assets_are_cached_for_good(emulators: dict[str, str]) -> None:
    page = httpx.get(dashboard_url() + "inbox/15550001111", timeout=5)
    assert page.status_code == 200 and "<title>" in page.text
    assert page.headers["Cache-Control"] == "no-cache"
    asset = next(part.split('"')[0] for part in page.text.split('src="')[1:] if part.startswith("/assets/"))
    assert "immutable" in httpx.get(dashboard_url() + asset.lstrip("/"), timeout=5).headers["Cache-Control"]


def test_the_chat_simulator_refuses_bad_requests_before_reaching_the_webhook(
    emulators: dict[str, str],
) -> None:
    url = dashboard_url() + "api/chat"
    form = httpx.post(url, data={"tenant": "demo", "from": "15550001111", "text": "hi"}, timeout=5)
    assert form.status_code == 415, "only JSON: a cross-site form post cannot reach it"
    bad_from = httpx.post(url, json={"tenant": "demo", "from": "+1 555", "text": "hi"}, timeout=5)
    assert bad_from.status_code == 400 and "digits" in bad_from.json()["error"]
    too_long = httpx.post(url, json={"tenant": "demo", "from": "15550001111", "text": "x" * 4097}, timeout=5)
    assert too_long.status_code == 400
    unknown = httpx.post(
        url, json={"tenant": "no-such-tenant", "from": "15550001111", "text": "hi"}, timeout=5
    )
    assert unknown.status_code == 400
    for reply in ({"kind": "swipe", "id": "x"}, {"kind": "list", "id": ""}, {"kind": "button"}, "rate:5"):
        pressed = httpx.post(
            url, json={"tenant": "demo", "from": "15550001111", "text": "hi", "reply": reply}, timeout=5
        )
        assert pressed.status_code == 400, reply


def test_the_chat_simulator_posts_a_signed_message_the_webhook_accepts(
    emulators: dict[str, str], firestore: Any
) -> None:
    answer = httpx.post(
        dashboard_url() + "api/chat",
        json={"tenant": "demo", "from": "15550005555", "text": "hello"},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["webhook_status"] == 200
    conversation = conversation_of(firestore, "demo", "15550005555")  # keyed by customer key
    stored = conversation.collection("messages").document(answer.json()["message_id"])
    assert stored.get().exists, "the webhook stored the inbound message"
