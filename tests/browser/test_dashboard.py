"""The staff dashboard in a real headless Chromium, on the stack `./emulator.sh test` runs.

What staff would notice: the demo catalog shows; a sheet edit pushed through sheet_poller
changes the stock on screen without a reload; a customer message sent with
`python -m shared.cli chat` shows in the inbox with its reply; taking a conversation over stops
the automatic replies and a staff reply goes out through respond; an alert raised by the alerts
function can be acknowledged; KPIs rolled up by analytics_rollup show as tiles; the chat
simulator answers. Screenshots of each view go to test-artifacts/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.browser.conftest import ROOT, Page, SheetTenant, conversation_of

pytestmark = pytest.mark.timeout(120)


def eventually(check: Any, timeout: float = 10.0) -> Any:
    """`check()`'s first truthy value, polling (writes from the page commit asynchronously)."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {check.__doc__ or check}")
        time.sleep(0.1)
    return value


def stock_cell(page: Page, sku: str) -> str:
    return page.page.locator(f'tr[data-sku="{sku}"] td.stock').inner_text(timeout=15_000)


def chat(tenant: str, wa_id: str, text: str) -> str:
    """`python -m shared.cli chat`, as a person at a terminal would run it; its output."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shared.cli",
            "chat",
            "--tenant",
            tenant,
            "--from",
            wa_id,
            "--timeout",
            "30",
            text,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demo_catalog_shows_with_no_console_errors(page: Page) -> None:
    page.open("demo")
    row = page.page.locator('tr[data-sku="JKT-001"]')
    row.wait_for()
    assert "Denim Jacket" in row.inner_text()
    assert "$89.00" in row.inner_text()
    assert page.page.locator('tr[data-sku="JKT-003"] .badge.out').count() == 1, (
        "an out-of-stock item is badged"
    )
    summary = page.page.locator("#view-catalog .summary").inner_text()
    assert "items" in summary and "low" in summary and "out" in summary
    # The sheet cards arrive on their own listener, a moment after the catalog may have.
    page.page.locator(".sheet").first.wait_for(timeout=5_000)
    assert "Last read" in page.page.locator(".sheet").first.inner_text(), "the sheet's freshness card"
    # Validation issues also have a listener of their own: wait for the row rather than race it.
    page.page.locator("#validation-issues tbody tr", has_text="not a price").first.wait_for(timeout=5_000)
    issues = page.page.locator("#validation-issues tbody").inner_text()
    assert "price" in issues and "not a price" in issues, "the demo sheet's bad row is listed to fix"
    page.screenshot("catalog")


def test_a_sheet_edit_pushed_through_sheet_poller_changes_the_stock_without_a_reload(
    page: Page, sheet_tenant: SheetTenant
) -> None:
    page.open(sheet_tenant.tenant_id)
    page.page.fill("#catalog-search", "JKT-001")
    assert stock_cell(page, "JKT-001") == "14"
    page.page.evaluate("window.__sameDocument = true")

    sheet_tenant.set_cell("JKT-001", 4, "2")
    started = time.monotonic()
    sheet_tenant.push()
    page.page.wait_for_function(
        """() => document.querySelector('tr[data-sku="JKT-001"] td.stock')?.textContent === "2" """,
        timeout=10_000,
    )
    elapsed = time.monotonic() - started
    assert page.page.evaluate("window.__sameDocument") is True, "the page was not reloaded"
    assert "Low" in page.page.locator('tr[data-sku="JKT-001"] .status').inner_text()
    assert elapsed < 5, f"the edit took {elapsed:.1f} s to show"
    page.screenshot("catalog-after-edit")


def test_a_cli_chat_message_appears_in_the_inbox_with_its_reply(
    page: Page, sheet_tenant: SheetTenant
) -> None:
    page.open(sheet_tenant.tenant_id, "inbox")
    reply = chat(sheet_tenant.tenant_id, "15550001111", "do you have a denim jacket in stock?")
    assert "Denim Jacket" in reply
    conversation = page.page.locator('button.conv[data-wa="15550001111"]')
    conversation.wait_for()
    assert "Denim Jacket" in conversation.inner_text(), "the preview shows the last message"
    conversation.click()
    thread = page.page.locator("#view-inbox .thread")
    thread.locator("li.msg.in", has_text="do you have a denim jacket in stock?").wait_for()
    thread.locator("li.msg.out", has_text=reply.splitlines()[0]).wait_for()
    page.screenshot("inbox")


def test_taking_over_stops_auto_replies_and_a_staff_reply_is_sent(
    page: Page, sheet_tenant: SheetTenant, firestore: Any
) -> None:
    tenant, wa_id = sheet_tenant.tenant_id, "15550002222"
    chat(tenant, wa_id, "hello")
    page.open(tenant, "inbox")
    page.page.locator(f'button.conv[data-wa="{wa_id}"]').click()
    thread = page.page.locator("#view-inbox .thread")
    thread.locator("li.msg.out").first.wait_for()

    page.page.get_by_role("button", name="Take over").click()
    page.page.get_by_role("button", name="Hand back to the assistant").wait_for()
    conversation = conversation_of(firestore, tenant, wa_id)  # keyed by the customer's key
    eventually(lambda: (conversation.get().to_dict() or {}).get("handoff") is True)
    assert page.page.locator(f'button.conv[data-wa="{wa_id}"] .badge').inner_text() == "needs staff"

    replies_before = thread.locator("li.msg.out").count()
    output = chat(tenant, wa_id, "is the puffer jacket back?")
    assert "staff" in output, output
    thread.locator("li.msg.in", has_text="is the puffer jacket back?").wait_for()
    time.sleep(3)  # the worker has had ample time to reply, were it going to
    assert thread.locator("li.msg.out").count() == replies_before, "the assistant stayed silent"

    page.page.fill("#reply-text", "Hi, this is Sam from the shop: it is back next week.")
    page.page.get_by_role("button", name="Send").click()
    sent = thread.locator("li.msg.out", has_text="this is Sam from the shop")
    sent.wait_for()
    page.page.wait_for_function(
        """() => [...document.querySelectorAll('#view-inbox .thread li.msg.out')]
              .some((li) => li.textContent.includes('Sam from the shop') && li.textContent.includes('staff')
                            && !li.textContent.includes('queued'))""",
        timeout=20_000,
    )
    stored = [
        m.to_dict()
        for m in conversation.collection("messages").stream()
        if "Sam from the shop" in (m.to_dict() or {}).get("text", "")
    ]
    assert len(stored) == 1 and stored[0]["direction"] == "out" and stored[0]["provider"] == "staff"
    page.screenshot("inbox-handoff")

    page.page.get_by_role("button", name="Hand back to the assistant").click()
    page.page.get_by_role("button", name="Take over").wait_for()
    eventually(lambda: (conversation.get().to_dict() or {}).get("handoff") is False)


def test_an_alert_appears_live_and_can_be_acknowledged(
    page: Page, sheet_tenant: SheetTenant, firestore: Any
) -> None:
    page.open(sheet_tenant.tenant_id, "alerts")
    # The demo sheet's bad row made the alerts function (on catalog-changes) open an alert.
    card = page.page.locator("#view-alerts li.alert[data-status=open]").first
    card.wait_for(timeout=20_000)
    assert page.page.locator("#alerts-count").inner_text() != ""
    alert_id = card.get_attribute("data-id")

    # One raised while the page is open appears without a reload: the sheet becomes unreadable.
    sheet_tenant.sheet.rename(sheet_tenant.sheet.with_suffix(".moved"))
    sheet_tenant.push(expect=502)
    page.page.locator("#view-alerts li.alert.sev-critical[data-status=open]").wait_for(timeout=20_000)
    page.screenshot("alerts")

    page.page.locator(f'#view-alerts li.alert[data-id="{alert_id}"] button', has_text="Acknowledge").click()
    page.page.locator(f'#view-alerts li.alert[data-id="{alert_id}"][data-status=acknowledged]').wait_for()
    ref = firestore.document(f"tenants/{sheet_tenant.tenant_id}/alerts/{alert_id}")
    stored = eventually(lambda: (d := ref.get().to_dict() or {}).get("status") == "acknowledged" and d)
    assert stored["acknowledged_by"] == "local-staff"
    page.screenshot("alerts-acknowledged")


def test_kpi_tiles_show_the_rolled_up_conversations(page: Page, sheet_tenant: SheetTenant) -> None:
    from shared.events import Tick
    from shared.pubsub import publish

    chat(sheet_tenant.tenant_id, "15550003333", "hi, what jackets do you have?")
    page.open(sheet_tenant.tenant_id, "kpis")
    publish("rollup-ticks", Tick(job="rollup-analytics"))  # what Cloud Scheduler would send
    page.page.wait_for_function(
        """() => Number(document.querySelector('[data-kpi="messages_in"] .value')?.textContent) >= 1""",
        timeout=30_000,
    )
    assert page.page.locator('[data-kpi="assistant"] .value').inner_text() == "1", "answered by the assistant"
    assert page.page.locator("#view-kpis .uplot").count() == 2, "both charts are drawn"
    page.screenshot("kpis")


def test_the_chat_simulator_answers_through_the_webhook(page: Page, sheet_tenant: SheetTenant) -> None:
    page.open(sheet_tenant.tenant_id, "chat")
    page.page.fill("#sim-from", "15550004444")
    page.page.fill("#sim-text", "how much is the rain shell?")
    page.page.get_by_role("button", name="Send").click()
    thread = page.page.locator("#view-chat .thread")
    thread.locator("li.msg.in", has_text="how much is the rain shell?").wait_for()
    thread.locator("li.msg.out", has_text="$75.00").wait_for(timeout=20_000)
    page.screenshot("chat-simulator")


def test_on_a_phone_the_views_fit_the_screen(chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab = Page(context.new_page())
    try:
        tab.open("demo")
        tab.page.locator('tr[data-sku="JKT-001"]').wait_for()
        overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        assert tab.page.locator('th[data-key="category"]').is_hidden(), "secondary columns fold away"
        tab.screenshot("catalog-phone")
        tab.show("inbox")
        tab.screenshot("inbox-phone")
        assert tab.errors == []
    finally:
        context.close()
