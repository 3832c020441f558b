"""The staff workspace in Chromium, on the stack `./emulator.sh test` runs (issue 15).

What a shop owner coming from WATI or Chatwoot would check: customers by name with search,
filters and unread marks; a sound and a browser notification when someone needs a person; the
assistant's buttons and lists in the thread, and who wrote what; saved answers with `/`;
internal notes; assignment; two staff seeing the same conversation live; more than 200
conversations; contacts with tags and a CSV export; broadcasts that skip opted-out customers and
are sent by the scheduled function; KPIs and alerts in plain words; the Status view; the chat
simulator finishing a booking; and, for each view, a screenshot at desktop and phone width in
docs/screenshots/.

Customer messages go through the real webhook, signed like Meta's, with the customer's WhatsApp
profile name. Browser platform APIs that a headless browser cannot show (Notification, the
speaker) are replaced in the page by recorders before the dashboard loads.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import ROOT, Page, SheetTenant, conversation_of, dashboard_url
from tests.browser.test_dashboard import eventually

pytestmark = pytest.mark.timeout(180)
SCREENSHOTS = ROOT / "docs" / "screenshots"

# Records notifications and beeps instead of showing and playing them.
RECORDERS = """
window.__notifications = [];
window.__beeps = 0;
class RecordingNotification {
  constructor(title, options) { window.__notifications.push({ title, body: options?.body || "" }); }
  static get permission() { return window.__notifyPermission || "default"; }
  static requestPermission() { window.__notifyPermission = "granted"; return Promise.resolve("granted"); }
}
window.Notification = RecordingNotification;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__beeps += 1; return start.apply(this, args); };
"""


def customer_says(tenant: SheetTenant, wa_id: str, name: str, text: str) -> None:
    """A customer's WhatsApp message, as Meta posts it to the webhook (signed, with a profile name)."""
    from shared.cli.chat import meta_payload
    from shared.whatsapp.signature import meta_signature

    payload = meta_payload(tenant.phone_number_id, wa_id, f"wamid.bt-{uuid.uuid4().hex}", text, None)
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = name
    body = json.dumps(payload).encode()
    secret = os.environ.get("WHATSAPP_APP_SECRET", "local-app-secret")
    response = httpx.post(
        f"http://127.0.0.1:{os.environ.get('WEBHOOK_PORT', '8081')}/",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def tick_until(tenant_id: str, locator: Any, timeout: float = 45.0) -> None:
    """Publish outreach ticks, as Cloud Scheduler does every minute, until `locator` shows."""
    from shared.events import Tick
    from shared.pubsub import publish_now

    deadline = time.monotonic() + timeout
    while True:
        publish_now("outreach-ticks", [Tick(tenant_id=tenant_id)])  # a tick sent by hand runs every part
        try:
            locator.wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise


def open_as(
    chromium: Any,
    tenant: str,
    view: str,
    *,
    staff: str = "local-staff",
    role: str = "owner",
    width: int = 1280,
) -> Page:
    phone = width < 600
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        accept_downloads=True,
    )
    context.add_init_script(RECORDERS)
    tab = Page(context.new_page())
    tab.page.set_default_timeout(20_000)
    tab.page.goto(f"{dashboard_url()}?tenant={tenant}&staff={staff}&role={role}#{view}")
    tab.page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    return tab


def close(tab: Page) -> None:
    errors = list(tab.errors)
    tab.page.context.close()
    assert errors == [], f"console errors: {errors}"


def conv(tab: Page, wa_id: str) -> Any:
    return tab.page.locator(f'button.conv[data-wa="{wa_id}"]')


def add_customers(tenant_id: str, rows: list[dict[str, Any]]) -> None:
    """Customers as the platform keeps them, keyed by customer_key (here their number, as for a
    conversation that began before customer keys): the conversation says who they are, their
    language and when they last wrote; the customer record holds tags and opt-out."""
    from shared.messaging.store import conversation_ref
    from shared.storage import tenant_collection, utcnow

    for row in rows:
        key = row["wa_id"]
        record = {k: row[k] for k in ("tags", "opted_out") if k in row}
        conversation = {k: v for k, v in row.items() if k != "tags"}
        at = utcnow() - timedelta(hours=3)
        conversation_ref(tenant_id, key).set(
            {
                "last_inbound_at": at,
                "last_message_at": at,
                "session_started_at": at - timedelta(days=30),
                **conversation,
            },
            merge=True,
        )
        tenant_collection(tenant_id, "customers").document(key).set(record, merge=True)


def test_the_inbox_names_customers_alerts_staff_and_shows_who_wrote_what(
    chromium: Any, sheet_tenant: SheetTenant, firestore: Any
) -> None:
    t = sheet_tenant.tenant_id
    tab = open_as(chromium, t, "inbox", staff="ana")
    page = tab.page
    try:
        page.get_by_role("button", name="Turn on alerts for customers waiting").click()
        customer_says(sheet_tenant, "15550100001", "Maria Silva", "do you have the denim jacket?")
        customer_says(sheet_tenant, "15550100002", "João Souza", "hello")
        conv(tab, "15550100001").wait_for()
        conv(tab, "15550100002").wait_for()
        assert "Maria Silva" in conv(tab, "15550100001").inner_text()
        assert "+15550100001" in conv(tab, "15550100001").inner_text()
        eventually(lambda: page.locator('[data-filter="unread"] .n').inner_text() == "2", timeout=20)

        # Needing a person rings and notifies once, naming the customer.
        assert page.evaluate("window.__notifications.length") == 0
        customer_says(sheet_tenant, "15550100001", "Maria Silva", "I want to talk to a person please")
        conv(tab, "15550100001").locator(".badge", has_text="needs staff").wait_for()
        notes = eventually(lambda: page.evaluate("window.__notifications"), timeout=10)
        assert notes[0]["title"] == "Maria Silva needs a person"
        assert page.evaluate("window.__beeps") >= 1

        # Search by name, by number; the needs-staff filter.
        page.fill("#inbox-search", "joão")
        eventually(lambda: conv(tab, "15550100001").count() == 0 and conv(tab, "15550100002").count() == 1)
        page.fill("#inbox-search", "100001")
        eventually(lambda: conv(tab, "15550100001").count() == 1 and conv(tab, "15550100002").count() == 0)
        page.fill("#inbox-search", "")
        page.click('[data-filter="staff"]')
        eventually(lambda: conv(tab, "15550100002").count() == 0 and conv(tab, "15550100001").count() == 1)
        page.click('[data-filter="all"]')

        # Opening a conversation marks it read; the thread tells customer and assistant apart.
        conv(tab, "15550100002").click()
        eventually(lambda: page.locator('[data-filter="unread"] .n').inner_text() == "1", timeout=10)
        ref = conversation_of(firestore, t, "15550100002")
        eventually(lambda: "ana" in ((ref.get().to_dict() or {}).get("read_by") or {}))
        thread = page.locator("#view-inbox .thread")
        thread.locator('li[data-author="customer"]', has_text="hello").wait_for()
        thread.locator('li[data-author="assistant"]').first.wait_for()

        conv(tab, "15550100001").click()
        thread.locator('li[data-author="customer"]', has_text="talk to a person").wait_for()
        panel = page.locator("#view-inbox .customer-pane")
        panel.locator("dd", has_text="Maria Silva").wait_for()
        assert "+15550100001" in panel.inner_text() and "null" not in panel.inner_text()

        # A saved answer, found with "/".
        page.locator("details.quick-manager summary").click()
        page.fill("#qr-shortcut", "hours")
        page.fill("#qr-text", "We are open 9 to 6, Monday to Saturday.")
        page.get_by_role("button", name="Save answer").click()
        page.locator(".quick-list li", has_text="/hours").wait_for()
        page.fill("#reply-text", "/hou")
        page.locator("#quick-replies li", has_text="/hours").wait_for()
        page.press("#reply-text", "Enter")
        assert page.input_value("#reply-text") == "We are open 9 to 6, Monday to Saturday."
        page.get_by_role("button", name="Send").click()
        thread.locator('li[data-author="staff"]', has_text="open 9 to 6").wait_for()
        eventually(
            lambda: "queued" not in thread.locator('li[data-author="staff"]').last.inner_text(), timeout=20
        )

        # An internal note is shown to staff and never sent.
        page.click("#mode-note")
        page.fill("#reply-text", "Maria prefers a call after 5pm")
        page.get_by_role("button", name="Add note").click()
        thread.locator("li.msg.note", has_text="prefers a call").wait_for()
        messages = conversation_of(firestore, t, "15550100001").collection("messages").stream()
        assert not any("prefers a call" in (m.to_dict() or {}).get("text", "") for m in messages)

        # Assign to oneself: the "Mine" filter finds it.
        page.select_option("#assign-to", "ana")
        eventually(
            lambda: (
                (conversation_of(firestore, t, "15550100001").get().to_dict() or {}).get("assigned_to")
                == "ana"
            )
        )
        eventually(lambda: page.locator('[data-filter="mine"] .n').inner_text() == "1")
    finally:
        close(tab)


def test_two_staff_see_the_same_conversation_change_live(chromium: Any, sheet_tenant: SheetTenant) -> None:
    t = sheet_tenant.tenant_id
    customer_says(sheet_tenant, "15550200001", "Li Wei", "is the rain shell waterproof?")
    ana = open_as(chromium, t, "inbox", staff="ana")
    ben = open_as(chromium, t, "inbox", staff="ben", role="agent")
    try:
        for tab in (ana, ben):
            conv(tab, "15550200001").click()
            tab.page.locator("#view-inbox .thread li[data-author=customer]", has_text="waterproof").wait_for()
        # Ana takes over and notes; Ben's screen follows without a reload.
        ana.page.get_by_role("button", name="Take over").click()
        ben.page.get_by_role("button", name="Hand back to the assistant").wait_for()
        ana.page.click("#mode-note")
        ana.page.fill("#reply-text", "I'll check the fabric label")
        ana.page.get_by_role("button", name="Add note").click()
        ben.page.locator("#view-inbox .thread li.msg.note", has_text="fabric label").wait_for()
        ana.page.select_option("#assign-to", "ana")
        conv(ben, "15550200001").locator(".handle", has_text="→ ana").wait_for()
        # The customer writes again: both see it.
        customer_says(sheet_tenant, "15550200001", "Li Wei", "also, do you have it in green?")
        for tab in (ana, ben):
            tab.page.locator("#view-inbox .thread li[data-author=customer]", has_text="in green").wait_for()
        ana.page.click("#mode-reply")
        ana.page.fill("#reply-text", "Yes, green in M and L.")
        ana.page.get_by_role("button", name="Send").click()
        ben.page.locator("#view-inbox .thread li[data-author=staff]", has_text="green in M and L").wait_for()
        ben.screenshot("two-staff-ben")
    finally:
        close(ana)
        close(ben)


def test_the_inbox_scrolls_past_200_conversations(chromium: Any, tenant_id: str, firestore: Any) -> None:
    from shared.storage import utcnow
    from shared.tenants import TenantConfig, save_tenant

    save_tenant(
        TenantConfig(tenant_id=tenant_id, phone_number_id=str(uuid.uuid4().int)[:12], source="file:/dev/null")
    )
    now = utcnow()
    batch = firestore.batch()
    for i in range(230):
        wa = f"1555030{i:04d}"
        at = now - timedelta(minutes=i)
        batch.set(
            firestore.document(f"tenants/{tenant_id}/conversations/{wa}"),
            {
                "wa_id": wa,
                "profile_name": f"Customer {i:03d}",
                "last_message_at": at,
                "last_inbound_at": at,
                "last_message_preview": "hi",
            },
        )
        if i % 200 == 199:
            batch.commit()
            batch = firestore.batch()
    batch.commit()
    tab = open_as(chromium, tenant_id, "inbox")
    try:
        eventually(lambda: tab.page.locator("button.conv").count() == 200, timeout=30)
        # Staff scroll to the end of the list: the next page loads.
        tab.page.evaluate("document.querySelector('.conversations').scrollTop = 1e9")
        conv(tab, "15550300229").wait_for()
        assert tab.page.locator("button.conv").count() == 230
        assert "Customer 229" in conv(tab, "15550300229").inner_text()
    finally:
        close(tab)


def test_contacts_search_tag_and_export(chromium: Any, sheet_tenant: SheetTenant, firestore: Any) -> None:
    t = sheet_tenant.tenant_id
    add_customers(
        t,
        [
            {"wa_id": "15550400001", "profile_name": "Ana Lima", "language": "pt", "tags": ["vip"]},
            {"wa_id": "15550400002", "profile_name": '=HYPERLINK("x")', "language": "en", "tags": []},
            {
                "wa_id": "15550400003",
                "profile_name": "Carlos Ruiz",
                "language": "es",
                "tags": ["vip"],
                "opted_out": True,
            },
        ],
    )
    tab = open_as(chromium, t, "contacts", role="agent")
    page = tab.page
    try:
        page.locator('tr[data-key="15550400003"]').wait_for()
        assert "opted out" in page.locator('tr[data-key="15550400003"]').inner_text()
        page.fill("#contacts-search", "ana")
        eventually(lambda: page.locator("tr[data-key]").count() == 1)
        page.fill("#contacts-search", "")
        page.locator('tr[data-key="15550400001"] th button').click()
        page.fill("#view-contacts .customer-pane .tag-input", "Wholesale Buyer")
        page.locator("#view-contacts .customer-pane .tag-form button").click()
        page.locator('tr[data-key="15550400001"] .tag', has_text="wholesale-buyer").wait_for()
        ref = firestore.document(f"tenants/{t}/customers/15550400001")
        stored = eventually(
            lambda: (d := ref.get().to_dict() or {}).get("tags") == ["vip", "wholesale-buyer"] and d
        )
        assert stored["tags_updated_by"] == "local-staff"
        page.select_option("#contacts-tag", "vip")
        eventually(lambda: page.locator("tr[data-key]").count() == 2)
        with page.expect_download() as download:
            page.click("#contacts-export")
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        assert {r["whatsapp"] for r in rows} == {"+15550400001", "+15550400003"}
        assert {r["opted_out"] for r in rows} == {"no", "yes"}
        page.select_option("#contacts-tag", "")
        with page.expect_download() as download:
            page.click("#contacts-export")
        text = Path(download.value.path()).read_text()
        assert "'=HYPERLINK" in text, "a name that looks like a formula is neutralised"
        # Agents cannot add automatic tags.
        page.locator("#tag-rules summary").click()
        assert "Only the shop owner" in page.locator("#tag-rules").inner_text()
    finally:
        close(tab)


def test_a_broadcast_reaches_the_segment_but_never_opted_out_customers(
    chromium: Any, sheet_tenant: SheetTenant, firestore: Any
) -> None:

    t = sheet_tenant.tenant_id
    add_customers(
        t,
        [
            {"wa_id": "15550500001", "profile_name": "Ana", "language": "pt", "tags": ["vip"]},
            {"wa_id": "15550500002", "profile_name": "Bea", "language": "en", "tags": ["vip"]},
            {
                "wa_id": "15550500003",
                "profile_name": "Cal",
                "language": "en",
                "tags": ["vip"],
                "opted_out": True,
            },
            {"wa_id": "15550500004", "profile_name": "Dee", "language": "en", "tags": []},
        ],
    )
    agent = open_as(chromium, t, "broadcasts", staff="ben", role="agent")
    try:
        assert (
            "Only the shop owner can send broadcasts" in agent.page.locator("#view-broadcasts").inner_text()
        )
        assert agent.page.locator("#broadcast-form").count() == 0
    finally:
        close(agent)
    tab = open_as(chromium, t, "broadcasts")
    page = tab.page
    try:
        page.fill("#bc-text", "Winter sale: 20% off all jackets this weekend")
        eventually(lambda: page.locator("#bc-tags option").count() == 1)
        page.select_option("#bc-tags", ["vip"])
        eventually(lambda: page.locator("#bc-count").get_attribute("data-count") == "2")
        assert "1 opted out, never included" in page.locator("#bc-count").inner_text()
        previews = page.locator(".previews [data-lang]")
        assert sorted(previews.evaluate_all("els => els.map(e => e.dataset.lang)")) == ["en", "pt"]
        assert "Winter sale" in previews.first.inner_text()
        tab.screenshot("broadcast-compose")
        page.get_by_role("button", name="Send broadcast").click()
        card = page.locator("#view-broadcasts li[data-status]").first
        card.wait_for()
        assert card.get_attribute("data-status") == "scheduled"
        tick_until(t, page.locator("#view-broadcasts li[data-status=done]"))
        assert page.locator('#view-broadcasts li[data-status=done] [data-figure="sent"]').inner_text() == "2"
        bid = page.locator("#view-broadcasts li[data-status=done]").get_attribute("data-id")
        got = {
            wa: firestore.document(f"tenants/{t}/conversations/{wa}/messages/bc-{bid}").get().exists
            for wa in ("15550500001", "15550500002", "15550500003", "15550500004")
        }
        assert got == {"15550500001": True, "15550500002": True, "15550500003": False, "15550500004": False}
    finally:
        close(tab)


def test_kpis_and_alerts_speak_the_owners_language(
    chromium: Any, sheet_tenant: SheetTenant, firestore: Any
) -> None:
    from shared.events import Tick
    from shared.pubsub import publish

    t = sheet_tenant.tenant_id
    firestore.document(f"tenants/{t}").set(
        {"currency": "BRL", "timezone": "America/Sao_Paulo", "locale": "pt-BR"}, merge=True
    )
    customer_says(sheet_tenant, "15550600001", "Rita", "do you have a denim jacket in stock?")
    tab = open_as(chromium, t, "kpis")
    page = tab.page
    try:
        # Once the reply is stored its events are out; the roll-up (every minute in the cloud) counts them.
        replies = conversation_of(firestore, t, "15550600001").collection("messages")
        eventually(
            lambda: any((m.to_dict() or {}).get("direction") == "out" for m in replies.stream()), timeout=30
        )
        tile = page.locator('[data-kpi="conversations"] .value')
        for _ in range(6):
            publish("rollup-ticks", Tick(job="rollup-analytics"))
            try:
                page.wait_for_function(
                    """() => document.querySelector('[data-kpi="conversations"] .value')
                                 ?.textContent === "1" """,
                    timeout=10_000,
                )
                break
            except PlaywrightTimeout:
                continue
        assert tile.inner_text() == "1"
        text = page.locator("#view-kpis").inner_text()
        for plain in (
            "Answered by the assistant",
            "Passed to staff",
            "Sales from chats",
            "Typical wait for a reply",
        ):
            assert plain in text
        for jargon in ("Grounded", "fallback", "$0.0000", "null", "undefined", "NaN"):
            assert jargon not in text
        assert "R$" in page.locator('[data-kpi="sales"] .value').inner_text()
        assert "America/Sao Paulo time" in text
        page.locator('.top-items li[data-sku="JKT-001"] .item-name', has_text="Denim Jacket").wait_for()
        tab.screenshot("kpis-owner")

        # The demo sheet's bad price row: an alert in words, with what to do, and no raw JSON.
        page.click('a[data-view="alerts"]')
        card = page.locator("#view-alerts li.alert[data-status=open]").first
        card.wait_for(timeout=30_000)
        assert "What to do:" in card.inner_text()
        assert "{" not in card.inner_text() and "[" not in card.inner_text()
    finally:
        close(tab)


def test_the_status_view_shows_each_part_with_its_reason(chromium: Any, sheet_tenant: SheetTenant) -> None:

    t = sheet_tenant.tenant_id
    customer_says(sheet_tenant, "15550700001", "Omar", "hi")
    tab = open_as(chromium, t, "status")
    try:
        tick_until(t, tab.page.locator("#view-status li[data-part=sheet]"))
        parts = tab.page.locator("#view-status li[data-part]").evaluate_all(
            "els => els.map(e => e.dataset.part + ':' + e.dataset.level)"
        )
        assert {p.split(":")[0] for p in parts} >= {"sheet", "webhook", "worker", "rollup"}
        assert "sheet:green" in parts
        assert "last customer message" in tab.page.locator("#view-status li[data-part=webhook]").inner_text()
        # A sheet that disappears turns red, with the reason, on the next check.
        sheet_tenant.sheet.rename(sheet_tenant.sheet.with_suffix(".moved"))
        for _ in range(3):
            sheet_tenant.push(expect=502)
        red = tab.page.locator("#view-status li[data-part=sheet][data-level=red]")
        tick_until(t, red)
        assert "failed read" in red.inner_text()
    finally:
        close(tab)


def test_the_simulator_finishes_a_booking_by_pressing_a_list_row(
    chromium: Any, sheet_tenant: SheetTenant, firestore: Any
) -> None:
    t = sheet_tenant.tenant_id
    tab = open_as(chromium, t, "chat")
    page = tab.page
    try:
        page.fill("#sim-from", "15550800001")
        page.fill("#sim-text", "can I book a personal styling session?")
        page.locator(".sim button[type=submit]").click()
        row = page.locator("#view-chat .thread .wa-row").first
        row.wait_for(timeout=30_000)
        eventually(lambda: page.locator("#sim-status").inner_text() == "Answered.", timeout=20)
        slot = row.inner_text().splitlines()[0]
        row.click()
        page.locator("#view-chat .thread li[data-author=customer]", has_text=slot).wait_for()
        eventually(lambda: page.locator("#view-chat .thread li.msg.out").count() >= 2, timeout=30)
        eventually(lambda: page.locator("#sim-status").inner_text() == "Answered.", timeout=30)
        pressed = [
            m.to_dict()
            for m in conversation_of(firestore, t, "15550800001").collection("messages").stream()
            if (m.to_dict() or {}).get("direction") == "in" and (m.to_dict() or {}).get("payload")
        ]
        assert pressed and pressed[0]["payload"].startswith("slot:"), pressed
        last = page.locator("#view-chat .thread li.msg.out").last.inner_text().lower()
        assert "book" in last, last
        tab.screenshot("chat-booking")
        # The inbox shows the list the customer was offered, as they saw it.
        page.click('a[data-view="inbox"]')
        conv(tab, "15550800001").click()
        row = page.locator("#view-inbox .thread .wa-list .wa-row").first
        row.wait_for(state="attached")
        assert row.is_disabled(), "staff see the rows the customer was offered, and do not press them"
    finally:
        close(tab)


def test_the_catalog_shows_restock_dates_slots_and_the_info_tab(
    chromium: Any, sheet_tenant: SheetTenant
) -> None:
    from shared.storage import tenant_collection, utcnow

    t = sheet_tenant.tenant_id
    # The Info tab as the sheet poller stores it (tenants/{T}/info/{topic_id}).
    info = tenant_collection(t, "info")
    info.document("hours").set(
        {"topic": "Opening hours", "answer": "Mon–Sat 9:00–18:00", "updated_at": utcnow()}
    )
    info.document("delivery").set(
        {"topic": "Delivery", "answer": "Free over $50, 2–3 days", "updated_at": utcnow()}
    )
    tab = open_as(chromium, t, "catalog", width=390)
    page = tab.page
    try:
        page.fill("#catalog-search", "JKT-003")
        puffer = page.locator('tr[data-sku="JKT-003"]')
        puffer.wait_for()
        assert "back Dec 15" in puffer.locator("td.status").inner_text()
        page.fill("#catalog-search", "SRV-002")
        styling = page.locator('tr[data-sku="SRV-002"]')
        styling.wait_for()
        assert "free" in styling.locator("td.stock").inner_text()
        assert "next" in styling.locator("td.status").inner_text()
        # On a phone the whole name shows (two lines), not "Personal Sty…".
        name = styling.locator("td.name .clamp")
        assert name.evaluate(
            "e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1"
        )
        page.locator("#business-info td", has_text="Free over $50").wait_for()
        assert "Opening hours" in page.locator("#business-info").inner_text()
    finally:
        close(tab)


VIEWS = ("catalog", "inbox", "contacts", "broadcasts", "alerts", "kpis", "status", "chat")


def test_screenshots_of_every_view_at_desktop_and_phone_width(
    chromium: Any, emulators: Any, tmp_path: Path
) -> None:
    from shared.events import Tick
    from shared.pubsub import publish, publish_now
    from shared.storage import tenant_collection, utcnow
    from tests.browser.conftest import make_sheet_tenant

    sheet_tenant = make_sheet_tenant(f"rosa-boutique-{uuid.uuid4().hex[:4]}", tmp_path)
    t = sheet_tenant.tenant_id
    people = {
        "15550900001": ("Maria Silva", "vocês têm a jaqueta jeans?", {"tags": ["vip"]}),
        "15550900002": ("James Carter", "how much is the rain shell?", {"tags": ["vip", "jackets"]}),
        "15550900003": ("Sofía Gómez", "I need to talk to a person about my order", {"opted_out": True}),
    }
    from shared.clients import firestore_client

    firestore = firestore_client()
    for wa, (name, text, record) in people.items():
        customer_says(sheet_tenant, wa, name, text)
        key = conversation_of(firestore, t, wa).id
        tenant_collection(t, "customers").document(key).set(record, merge=True)
    tenant_collection(t, "quick_replies").document("hours").set(
        {"shortcut": "hours", "text": "We are open 9–6, Mon–Sat.", "updated_by": "x", "updated_at": utcnow()}
    )
    publish("rollup-ticks", Tick(job="rollup-analytics"))
    from shared.broadcasts.segment import Segment
    from shared.broadcasts.send import create_broadcast

    create_broadcast(
        t,
        template="announcement",
        text="Winter sale: 20% off jackets",
        segment=Segment(tags=("vip",)),
        send_at=utcnow() - timedelta(seconds=1),
        created_by="owner",
    )
    time.sleep(2)
    publish_now("outreach-ticks", [Tick(tenant_id=t)])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, width in (("desktop", 1280), ("phone", 390)):
        tab = open_as(chromium, t, "catalog", width=width)
        try:
            for view in VIEWS:
                tab.page.click(f'a[data-view="{view}"]')
                tab.page.wait_for_selector(f"#view-{view}:not([hidden])")
                if view == "inbox":
                    conv(tab, "15550900003").click()
                    tab.page.locator("#view-inbox .thread li.msg").first.wait_for()
                if view == "broadcasts":
                    tab.page.locator("#view-broadcasts li[data-status=done]").wait_for(timeout=30_000)
                if view == "status":
                    tab.page.locator("#view-status li[data-part]").first.wait_for(timeout=30_000)
                if view == "contacts":
                    tab.page.locator("tr[data-key]", has_text="James Carter").wait_for()
                tab.page.wait_for_timeout(400)
                overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{view} scrolls sideways by {overflow}px at {width}px"
                tab.page.screenshot(
                    path=str(SCREENSHOTS / f"{view}-{label}.png"), full_page=label == "desktop"
                )
        finally:
            close(tab)
