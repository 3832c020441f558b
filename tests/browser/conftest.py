"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against the dashboard
that `./emulator.sh test` serves (DASHBOARD_PORT), on the real emulators and functions.

Screenshots go to `test-artifacts/` (gitignored). Every page records console errors and
uncaught exceptions; a test that sees one fails.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.browser import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def dashboard_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('DASHBOARD_PORT', '8000')}/"


@pytest.fixture(scope="session")
def chromium(emulators: dict[str, str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: ./emulator.sh test installs it (apt-get install chromium)")
    try:
        httpx.get(dashboard_url() + "config.json", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        pytest.fail(f"the dashboard is not served at {dashboard_url()} ({exc}): run ./emulator.sh test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A dashboard tab with its console errors collected."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def open(self, tenant: str, view: str = "catalog") -> None:
        self.page.goto(f"{dashboard_url()}?tenant={tenant}#{view}")
        self.page.wait_for_selector("body[data-ready=true]", timeout=15_000)

    def show(self, view: str) -> None:
        self.page.click(f"a[data-view={view}]")
        self.page.wait_for_selector(f"#view-{view}:not([hidden])")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def page(chromium: Any) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = Page(context.new_page())
    tab.page.set_default_timeout(15_000)
    yield tab
    context.close()
    assert tab.errors == [], f"console errors: {tab.errors}"


def conversation_of(firestore: Any, tenant_id: str, wa_id: str) -> Any:
    """The customer's conversation document (keyed by their customer key), found by number."""

    from google.cloud.firestore_v1.base_query import FieldFilter

    def find() -> Any:
        conversations = firestore.collection(f"tenants/{tenant_id}/conversations")
        query = conversations.where(filter=FieldFilter("wa_id", "==", wa_id)).limit(1)
        return next((snap.reference for snap in query.stream()), None)

    deadline = time.monotonic() + 20
    while (found := find()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"no conversation with the number {wa_id} within 20 s")
        time.sleep(0.2)
    return found


# --- a tenant with a sheet of its own ---------------------------------------------------------


class SheetTenant:
    """A tenant whose catalog is a CSV copy of the demo sheet, edited and pushed like onEdit."""

    def __init__(self, tenant_id: str, sheet: Path, phone_number_id: str) -> None:
        self.tenant_id = tenant_id
        self.sheet = sheet
        self.phone_number_id = phone_number_id

    def set_cell(self, sku: str, column: int, value: str) -> None:
        """Edit one cell (0-based column) of the row for `sku`, as someone typing in the sheet."""
        import csv
        import io

        rows = list(csv.reader(io.StringIO(self.sheet.read_text())))
        for row in rows:
            if row and row[0] == sku:
                row[column] = value
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        tmp = self.sheet.with_suffix(".tmp")
        tmp.write_text(out.getvalue())
        tmp.replace(self.sheet)

    def push(self, expect: int = 200) -> dict[str, Any]:
        """The Apps Script onEdit push, signed, to the served sheet_poller.push."""
        return push_sheet(self.tenant_id, expect)


def push_sheet(tenant_id: str, expect: int = 200) -> dict[str, Any]:
    from shared.sheets.push import SIGNATURE_HEADER, push_secret, sign

    body = json.dumps({"tenant": tenant_id, "edited_rows": [2], "event_id": uuid.uuid4().hex}).encode()
    secret = push_secret(tenant_id)
    response = httpx.post(
        f"http://127.0.0.1:{os.environ.get('SHEET_PUSH_PORT', '8083')}/",
        content=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)},
        timeout=30,
    )
    assert response.status_code == expect, response.text
    return response.json()


def make_sheet_tenant(tenant_id: str, folder: Path) -> SheetTenant:
    from shared.tenants import TenantConfig, save_tenant

    sheet = folder / "catalog.csv"
    shutil.copy(ROOT / "examples" / "demo_catalog.csv", sheet)
    phone_number_id = str(int(time.time() * 1000))[-9:] + uuid.uuid4().hex[:6].translate(
        str.maketrans("abcdef", "123456")
    )
    save_tenant(
        TenantConfig(
            tenant_id=tenant_id,
            phone_number_id=phone_number_id,
            source=f"file:{sheet}",
            business_name="Browser Test Outfitters",
        )
    )
    tenant = SheetTenant(tenant_id, sheet, phone_number_id)
    tenant.push()  # the first read fills the catalog
    return tenant


@pytest.fixture
def sheet_tenant(emulators: dict[str, str], tenant_id: str, tmp_path: Path) -> SheetTenant:
    return make_sheet_tenant(tenant_id, tmp_path)
