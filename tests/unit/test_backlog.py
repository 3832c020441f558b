"""The rule for messages that reach the worker long after they were sent (after an outage)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.conversation.backlog import backlog_flag, catch_up_text, decide
from shared.i18n.catalog import LANGUAGES

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SIX_HOURS = timedelta(hours=6)


def test_a_recent_message_is_answered_as_usual() -> None:
    assert (
        decide(NOW - timedelta(hours=5, minutes=59), NOW, late_after=SIX_HOURS, conversation={}).verdict
        == "fresh"
    )


def test_a_message_older_than_the_setting_opens_a_backlog() -> None:
    outcome = decide(NOW - timedelta(hours=9), NOW, late_after=SIX_HOURS, conversation={})
    assert outcome.verdict == "catch_up" and outcome.late_by == timedelta(hours=9)


def test_the_tenant_setting_decides_what_late_means() -> None:
    sent = NOW - timedelta(hours=2)
    assert decide(sent, NOW, late_after=timedelta(hours=1), conversation={}).verdict == "catch_up"
    assert decide(sent, NOW, late_after=timedelta(hours=3), conversation={}).verdict == "fresh"


def test_late_messages_sent_before_the_catch_up_are_part_of_its_backlog() -> None:
    conversation = {"backlog": {"caught_up_at": NOW - timedelta(minutes=1), "count": 3}}
    late = NOW - timedelta(hours=8)
    assert decide(late, NOW, late_after=SIX_HOURS, conversation=conversation).verdict == "absorb"


def test_a_later_outage_gets_its_own_catch_up() -> None:
    conversation = {"backlog": {"caught_up_at": NOW - timedelta(days=3), "count": 3}}
    late = NOW - timedelta(hours=8)  # sent after the old catch-up, and late again
    assert decide(late, NOW, late_after=SIX_HOURS, conversation=conversation).verdict == "catch_up"


def test_a_fresh_message_after_a_backlog_is_answered() -> None:
    conversation = {"backlog": {"caught_up_at": NOW - timedelta(minutes=5), "count": 3}}
    assert (
        decide(NOW - timedelta(seconds=3), NOW, late_after=SIX_HOURS, conversation=conversation).verdict
        == "fresh"
    )


def test_the_flag_counts_the_whole_backlog() -> None:
    first = [NOW - timedelta(hours=9), NOW - timedelta(hours=8)]
    flag = backlog_flag(
        "catch_up", first, NOW, {"backlog": {"count": 7, "caught_up_at": NOW - timedelta(days=9)}}
    )
    assert flag == {
        "flagged": True,
        "count": 2,  # a new backlog: the old one's count is not carried over
        "oldest_at": first[0],
        "newest_at": first[1],
        "caught_up_at": NOW,
    }
    later = backlog_flag("absorb", [NOW - timedelta(hours=10)], NOW + timedelta(minutes=1), {"backlog": flag})
    assert later["count"] == 3 and later["oldest_at"] == NOW - timedelta(hours=10)
    assert later["newest_at"] == first[1] and later["caught_up_at"] == NOW


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catch_up_reply_exists_in_every_language(lang: str) -> None:
    text = catch_up_text(lang)
    assert text and "{" not in text
    if lang != "en":
        assert text != catch_up_text("en")


def test_an_order_or_an_opt_out_is_acted_on_however_late() -> None:
    from shared.conversation.backlog import acts_anyway

    assert acts_anyway([("m1", {"type": "text", "text": "hello?"}), ("m2", {"type": "order"})])
    assert acts_anyway([("m1", {"type": "text", "text": "STOP"})])
    assert acts_anyway([("m1", {"type": "text", "text": "parar"})])
    assert not acts_anyway([("m1", {"type": "text", "text": "do you still have the red dress?"})])
