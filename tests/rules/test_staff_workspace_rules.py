"""firestore.rules for the staff workspace: read marks, assignment, notes, quick replies, tags,
tag rules and broadcasts, for an owner, an agent, staff of another tenant and nobody.

Roles come from the `role` custom claim (`python -m shared.cli staff add … --role`); a token
without one is an agent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.rules.firestore_rest import SERVER_TIME, Browser, mock_id_token
from tests.rules.test_firestore_rules import ALLOWED, DENIED, browser, tenants

__all__ = ["tenants"]  # the fixture, shared with the other rules tests

CONV = "conversations/15550001111"


@pytest.fixture
def owner(tenants: dict[str, str], firestore: Any) -> Browser:
    a = tenants["a"]
    firestore.document(f"tenants/{a}/customers/c1").set(
        {"wa_id": "15550001111", "tags": ["vip"], "language": "en"}
    )
    firestore.document(f"tenants/{a}/broadcasts/b1").set({"status": "scheduled", "text": "hi"})
    firestore.document(f"tenants/{a}/broadcasts/b2").set({"status": "sending", "text": "hi"})
    return browser(mock_id_token("owner-a", tenant=a, role="owner"))


@pytest.fixture
def agent(tenants: dict[str, str], owner: Browser) -> Browser:
    return browser(mock_id_token("agent-a", tenant=tenants["a"], role="agent"))


@pytest.fixture
def outsider(tenants: dict[str, str], owner: Browser) -> Browser:
    return browser(mock_id_token("owner-b", tenant=tenants["b"], role="owner"))


def broadcast(uid: str, **change: Any) -> dict[str, Any]:
    return {
        "template": "announcement",
        "text": "20% off this weekend",
        "segment": {"tags": ["vip"]},
        "send_at": datetime.now(UTC) + timedelta(hours=1),
        "status": "scheduled",
        "created_by": uid,
        "created_at": SERVER_TIME,
        **change,
    }


def test_staff_mark_a_conversation_read_only_for_themselves(agent: Browser, tenants: dict[str, str]) -> None:
    path = f"tenants/{tenants['a']}/{CONV}"
    assert agent.write(path, {"read_by.`agent-a`": SERVER_TIME}) == ALLOWED
    assert agent.write(path, {"read_by.`owner-a`": SERVER_TIME}) == DENIED
    assert agent.write(path, {"read_by": {"agent-a": "whenever"}}) == DENIED


def test_staff_assign_a_conversation_stamped_with_who_and_when(
    agent: Browser, outsider: Browser, tenants: dict[str, str], firestore: Any
) -> None:
    path = f"tenants/{tenants['a']}/{CONV}"
    assign = {"assigned_to": "owner-a", "assigned_by": "agent-a", "assigned_at": SERVER_TIME}
    assert agent.write(path, assign) == ALLOWED
    assert firestore.document(path).get().get("assigned_to") == "owner-a"
    assert agent.write(path, {**assign, "assigned_to": None}) == ALLOWED
    assert agent.write(path, {**assign, "assigned_by": "owner-a"}) == DENIED
    assert agent.write(path, {**assign, "handoff_reason": "x"}) == DENIED
    assert outsider.write(path, {**assign, "assigned_by": "owner-b"}) == DENIED


def test_internal_notes_are_created_by_staff_and_never_edited(
    agent: Browser, outsider: Browser, tenants: dict[str, str]
) -> None:
    notes = f"tenants/{tenants['a']}/{CONV}/notes"
    note = {
        "text": "called them back",
        "staff_uid": "agent-a",
        "staff_name": "Ana",
        "created_at": SERVER_TIME,
    }
    assert agent.write(f"{notes}/n1", note, create=True) == ALLOWED
    assert agent.write(f"{notes}/n1", {"text": "changed"}) == DENIED
    assert agent.delete(f"{notes}/n1") == DENIED
    assert agent.write(f"{notes}/n2", {**note, "staff_uid": "owner-a"}, create=True) == DENIED
    assert agent.write(f"{notes}/n3", {**note, "text": ""}, create=True) == DENIED
    assert outsider.write(f"{notes}/n4", {**note, "staff_uid": "owner-b"}, create=True) == DENIED


def test_any_staff_member_keeps_the_quick_replies(
    agent: Browser, outsider: Browser, tenants: dict[str, str]
) -> None:
    path = f"tenants/{tenants['a']}/quick_replies/hours"
    reply = {"shortcut": "hours", "text": "Open 9-6", "updated_by": "agent-a", "updated_at": SERVER_TIME}
    assert agent.write(path, reply, create=True) == ALLOWED
    assert agent.write(path, {**reply, "text": "Open 10-6"}, merge=False) == ALLOWED
    assert agent.write(path, {**reply, "text": "x" * 1025}, merge=False) == DENIED
    assert (
        outsider.write(
            f"tenants/{tenants['a']}/quick_replies/x", {**reply, "updated_by": "owner-b"}, create=True
        )
        == DENIED
    )
    assert agent.delete(path) == ALLOWED


def test_staff_tag_contacts_but_change_nothing_else_about_them(
    agent: Browser, tenants: dict[str, str]
) -> None:
    path = f"tenants/{tenants['a']}/customers/c1"
    tags = {"tags": ["vip", "wholesale"], "tags_updated_by": "agent-a", "tags_updated_at": SERVER_TIME}
    assert agent.write(path, tags) == ALLOWED
    assert agent.write(path, {**tags, "opted_out": False}) == DENIED
    assert agent.write(path, {"wa_id": "15559999999"}) == DENIED
    assert agent.write(path, {**tags, "tags": [f"t{i}" for i in range(31)]}) == DENIED


def test_the_first_tag_creates_the_customer_record_and_nothing_else(
    agent: Browser, tenants: dict[str, str]
) -> None:
    col = f"tenants/{tenants['a']}/customers"
    tags = {"tags": ["vip"], "tags_updated_by": "agent-a", "tags_updated_at": SERVER_TIME}
    assert agent.write(f"{col}/new-1", tags, create=True) == ALLOWED
    assert agent.write(f"{col}/new-2", {**tags, "opted_out": False}, create=True) == DENIED
    assert agent.write(f"{col}/new-3", {**tags, "tags_updated_by": "someone"}, create=True) == DENIED


def test_only_owners_add_tag_rules(owner: Browser, agent: Browser, tenants: dict[str, str]) -> None:
    rules = f"tenants/{tenants['a']}/tag_rules"
    rule = {
        "tag": "jacket-fans",
        "when": "asked",
        "sku": "JKT-001",
        "created_by": "owner-a",
        "created_at": SERVER_TIME,
    }
    assert owner.write(f"{rules}/r1", rule, create=True) == ALLOWED
    assert owner.write(f"{rules}/r2", {**rule, "when": "visited"}, create=True) == DENIED
    assert agent.write(f"{rules}/r3", {**rule, "created_by": "agent-a"}, create=True) == DENIED
    assert agent.delete(f"{rules}/r1") == DENIED
    assert owner.delete(f"{rules}/r1") == ALLOWED


def test_only_owners_broadcast_and_only_as_scheduled(
    owner: Browser, agent: Browser, outsider: Browser, tenants: dict[str, str]
) -> None:
    col = f"tenants/{tenants['a']}/broadcasts"
    assert owner.write(f"{col}/new1", broadcast("owner-a"), create=True) == ALLOWED
    assert agent.write(f"{col}/new2", broadcast("agent-a"), create=True) == DENIED
    assert outsider.write(f"{col}/new3", broadcast("owner-b"), create=True) == DENIED
    # The sending function sets status, counts and the audience; the browser never does.
    assert owner.write(f"{col}/new4", broadcast("owner-a", status="sending"), create=True) == DENIED
    assert owner.write(f"{col}/new5", broadcast("owner-a", sent=100), create=True) == DENIED
    assert owner.write(f"{col}/new6", broadcast("owner-a", text=""), create=True) == DENIED


def test_owners_cancel_a_broadcast_only_before_it_starts(
    owner: Browser, agent: Browser, tenants: dict[str, str]
) -> None:
    col = f"tenants/{tenants['a']}/broadcasts"
    assert agent.write(f"{col}/b1", {"status": "cancelled"}) == DENIED
    assert owner.write(f"{col}/b1", {"status": "done"}) == DENIED
    assert owner.write(f"{col}/b2", {"status": "cancelled"}) == DENIED  # already sending
    assert owner.write(f"{col}/b1", {"status": "cancelled"}) == ALLOWED


def test_a_token_without_a_role_is_an_agent(tenants: dict[str, str], owner: Browser) -> None:
    plain = browser(mock_id_token("staff-x", tenant=tenants["a"]))
    assert plain.write(f"tenants/{tenants['a']}/broadcasts/nx", broadcast("staff-x"), create=True) == DENIED
    assert plain.get(f"tenants/{tenants['a']}/broadcasts/b1") == ALLOWED


def test_staff_cannot_write_the_staff_list_or_health(
    agent: Browser, owner: Browser, tenants: dict[str, str]
) -> None:
    a = f"tenants/{tenants['a']}"
    assert owner.write(f"{a}/staff/agent-a", {"role": "owner"}, create=True) == DENIED
    assert agent.write(f"{a}/health/current", {"overall": "green"}, create=True) == DENIED
    assert agent.list_collection(a, "staff") == ALLOWED
