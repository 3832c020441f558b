"""Fixtures shared by the tests.

Integration tests (marked `integration`, everything under tests/integration) run against the
stack that `./emulator.sh test` starts: the real Firestore and Pub/Sub emulators and every
function served by functions-framework. Each test works in a tenant of its own.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.clients import reset_clients

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _answers(hostport: str) -> bool:
    host, _, port = hostport.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Clients and settings are cached per process; tests that change the env get new ones."""
    yield
    reset_clients()


@pytest.fixture(scope="session")
def emulators() -> dict[str, str]:
    """The running emulators' addresses; fails (not skips) when there is no stack."""
    hosts = {k: os.environ.get(k, "") for k in ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST")}
    for name, host in hosts.items():
        if not host or not _answers(host):
            pytest.fail(f"{name}={host!r} does not answer: run the tests with ./emulator.sh test")
    return hosts


@pytest.fixture
def tenant_id(request: pytest.FixtureRequest) -> str:
    """A fresh tenant id per test, so that tests never see each other's documents."""
    return f"t-{request.node.name[:20].strip('_').replace('[', '-').replace(']', '')}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def firestore(emulators: dict[str, str]):
    from shared.clients import firestore_client

    return firestore_client()
