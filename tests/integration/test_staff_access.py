"""`python -m shared.cli staff add|list|remove` grants the claims firestore.rules check.

firebase-admin talks to a local stand-in of the Firebase Auth emulator's account API
(tests/standins.AuthStandIn, via FIREBASE_AUTH_EMULATOR_HOST); the staff list is in Firestore.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import pytest

from shared.cli.__main__ import main
from shared.tenants import TenantConfig, save_tenant
from tests.standins import AuthStandIn


@pytest.fixture
def auth(monkeypatch: pytest.MonkeyPatch) -> Iterator[AuthStandIn]:
    standin = AuthStandIn()
    with standin.running():
        monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", standin.host)
        yield standin  # type: ignore[misc]
    import firebase_admin

    for app in list(firebase_admin._apps.values()):
        firebase_admin.delete_app(app)


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_staff_add_grants_tenant_and_role_and_lists_the_person(
    emulators: dict[str, str], tenant_id: str, auth: AuthStandIn, firestore: Any
) -> None:
    save_tenant(TenantConfig(tenant_id=tenant_id, phone_number_id="1", source="file:x.csv"))
    code, out = cli(
        "staff", "add", "ana@shop.example", "--tenant", tenant_id, "--role", "agent", "--name", "Ana"
    )
    assert code == 0, out
    assert auth.claims("ana@shop.example") == {"tenant": tenant_id, "role": "agent"}
    staff = [s.to_dict() for s in firestore.collection(f"tenants/{tenant_id}/staff").stream()]
    assert staff and staff[0]["email"] == "ana@shop.example" and staff[0]["name"] == "Ana"

    # Promoting the same person keeps one account.
    assert cli("staff", "add", "ana@shop.example", "--tenant", tenant_id, "--role", "owner")[0] == 0
    assert len(auth.users) == 1 and auth.claims("ana@shop.example")["role"] == "owner"
    assert cli("staff", "list", "--tenant", tenant_id)[1].split()[:3] == ["owner", "ana@shop.example", "Ana"]

    assert cli("staff", "remove", "ana@shop.example", "--tenant", tenant_id)[0] == 0
    assert auth.claims("ana@shop.example") == {}
    assert list(firestore.collection(f"tenants/{tenant_id}/staff").stream()) == []


def test_staff_of_one_shop_cannot_be_claimed_by_another(
    emulators: dict[str, str], tenant_id: str, auth: AuthStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    for t in (tenant_id, f"{tenant_id}-b"):
        save_tenant(TenantConfig(tenant_id=t, phone_number_id="1", source="file:x.csv"))
    assert cli("staff", "add", "sam@shop.example", "--tenant", tenant_id)[0] == 0
    assert cli("staff", "add", "sam@shop.example", "--tenant", f"{tenant_id}-b")[0] == 2
    assert "another tenant" in capsys.readouterr().err
    assert auth.claims("sam@shop.example")["tenant"] == tenant_id
    assert cli("staff", "add", "x@shop.example", "--tenant", "no-such-shop")[0] == 2
