"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.clients import reset_clients
from tests.standins import GraphStandIn


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphStandIn]:
    """A Meta Graph API stand-in the senders talk to (through the real httpx client)."""
    with GraphStandIn().running() as api:
        monkeypatch.setenv("WHATSAPP_API_BASE", f"{api.url}/v21.0")
        monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "EAAG-test-token")
        reset_clients()
        yield api
