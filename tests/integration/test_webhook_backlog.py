"""Old messages after an outage (issue 13): one catch-up reply in the customer's language for
the whole backlog, flagged for staff; a fresh message is answered as usual."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.clients import reset_clients
from shared.conversation.worker import answer_inbound
from shared.events import InboundMessage
from shared.i18n.catalog import message
from shared.messaging.store import conversation_ref, messages_ref
from shared.storage import utcnow
from tests.respond_support import make_tenant, store_inbound_directly, write_catalog

pytestmark = pytest.mark.usefixtures("emulators")


@pytest.fixture(autouse=True)
def no_burst_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURST_WINDOW_S", "0")
    reset_clients()


def old_message(tenant_id: str, wa_id: str, message_id: str, text: str, hours: float) -> None:
    store_inbound_directly(tenant_id, wa_id, message_id, text)
    messages_ref(tenant_id, wa_id).document(message_id).update({"at": utcnow() - timedelta(hours=hours)})


def replies(tenant_id: str, wa_id: str) -> list[dict]:
    return [d.to_dict() for d in messages_ref(tenant_id, wa_id).stream() if d.to_dict()["direction"] == "out"]


def test_a_backlog_gets_one_catch_up_reply_in_the_customers_language(tenant_id: str) -> None:
    make_tenant(tenant_id)
    write_catalog(tenant_id)
    wa_id = "15550070000"
    conversation_ref(tenant_id, wa_id).set({"language": "pt"})
    old_message(tenant_id, wa_id, "wamid.O1", "oi, tem jaqueta?", hours=9)
    old_message(tenant_id, wa_id, "wamid.O2", "quanto custa?", hours=8)
    answer_inbound(InboundMessage(tenant_id=tenant_id, customer_key=wa_id, message_id="wamid.O2"))
    [reply] = replies(tenant_id, wa_id)
    assert reply["text"] == message("catchup_reply", "pt")
    assert sorted(reply["covers"]) == ["wamid.O1", "wamid.O2"]
    state = conversation_ref(tenant_id, wa_id).get().to_dict()
    assert state["backlog"] is True and sorted(state["backlog_ids"]) == ["wamid.O1", "wamid.O2"]
    assert state["pending_inbound"] == []
    # Another old message of the same outage: added to the flag, no second apology.
    old_message(tenant_id, wa_id, "wamid.O3", "alô?", hours=7)
    answer_inbound(InboundMessage(tenant_id=tenant_id, customer_key=wa_id, message_id="wamid.O3"))
    assert len(replies(tenant_id, wa_id)) == 1
    assert "wamid.O3" in conversation_ref(tenant_id, wa_id).get().to_dict()["backlog_ids"]
    # A fresh message is answered as usual.
    store_inbound_directly(tenant_id, wa_id, "wamid.F1", "how much is the rain shell?")
    answer_inbound(InboundMessage(tenant_id=tenant_id, customer_key=wa_id, message_id="wamid.F1"))
    assert len(replies(tenant_id, wa_id)) == 2


def test_the_limit_is_a_tenant_setting(tenant_id: str) -> None:
    make_tenant(tenant_id, stale_message_hours=1)
    write_catalog(tenant_id)
    wa_id = "15550070001"
    old_message(tenant_id, wa_id, "wamid.L1", "hello?", hours=2)
    answer_inbound(InboundMessage(tenant_id=tenant_id, customer_key=wa_id, message_id="wamid.L1"))
    [reply] = replies(tenant_id, wa_id)
    assert reply["text"] == message("catchup_reply", "en")
