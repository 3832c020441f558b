"""One tenant's bad settings never stop the scheduled jobs for the others."""

from __future__ import annotations

import pytest

from shared.errors import PermanentError
from shared.storage import tenant_ref
from shared.tenants import TenantConfig, for_each_tenant, get_tenant, save_tenant


def test_a_hand_edited_invalid_tenant_is_skipped_and_the_others_run(tenant_id: str, emulators) -> None:
    good = f"{tenant_id}-good"
    bad = f"{tenant_id}-bad"
    save_tenant(TenantConfig(tenant_id=good, phone_number_id=f"pn-{good}", source="file:/tmp/x.csv"))
    save_tenant(TenantConfig(tenant_id=bad, phone_number_id=f"pn-{bad}", source="file:/tmp/x.csv"))
    tenant_ref(bad).update({"channel": "whatsapp", "currency": "usd1"})  # edited by hand in the console

    with pytest.raises(PermanentError, match=r"invalid settings: .*currency.*channel"):
        get_tenant(bad, fresh=True)
    seen = for_each_tenant(None, lambda tid: get_tenant(tid, fresh=True).tenant_id, what="test")
    assert good in seen and bad not in seen
