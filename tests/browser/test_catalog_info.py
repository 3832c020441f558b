"""The catalog page shows the sheet's Info tab (the demo shop's opening hours, address,
delivery, returns and payment), live from `info/`, in a real headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Page

pytestmark = pytest.mark.timeout(120)


def test_the_info_tab_shows_on_the_catalog_page(page: Page) -> None:
    page.open("demo")
    info = page.page.locator("#business-info")
    info.locator("tbody tr", has_text="Opening hours").first.wait_for(timeout=10_000)
    text = info.inner_text()
    assert "Mon-Sat 10:00-19:00" in text, "the answer is shown beside its topic"
    assert all(topic in text for topic in ("Address", "Delivery", "Returns", "Payment"))
    assert "(5 topics)" in info.locator("summary").inner_text()
    page.screenshot("catalog-info")
