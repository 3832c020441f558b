"""The owner's weekly summary: the shop's week, its language, its money, item names."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.i18n.catalog import LANGUAGES, messages
from shared.reports.weekly import add_week, last_week, summary_text, week_hour_ids

HOURS = [
    {
        "conversations": 7,
        "handoffs": 2,
        "conversions": 2,
        "revenue_minor_by_currency": {"BRL": 15990, "USD": 5},
    },
    {"conversations": 3, "ratings": 2, "rating_sum": 9, "asked": {"D-1": 4, "_other": 9}},
    {"asked": {"D-1": 1, "J-2": 2}, "asked_out_of_stock": {"J-2": 2}},
]


def test_every_summary_sentence_exists_in_every_language() -> None:
    english = {k for k in messages("en") if k.startswith("weekly.")}
    for lang in LANGUAGES:
        assert english <= set(messages(lang)), lang


def test_the_week_adds_up_its_hours_in_the_shops_currency() -> None:
    week = add_week(HOURS, "BRL")
    assert (week.conversations, week.handoffs, week.conversions, week.revenue_minor) == (10, 2, 2, 15990)
    assert week.asked == {"D-1": 5, "J-2": 2}


@pytest.mark.parametrize(
    ("locale", "expect"),
    [
        (
            "pt-BR",
            ["10 conversas", "8 respondidas", "R$\xa0159,90", "Vestido azul (5)", "Jaqueta (2)", "4,5 de 5"],
        ),
        ("es-MX", ["10 conversaciones", "Vestido azul (5)"]),
        ("fr-FR", ["10 conversations", "159,90\xa0R$"]),
        ("id-ID", ["10 percakapan"]),
        ("hi-IN", ["10 baatcheet"]),
        ("en-US", ["10 conversations, 8 answered by the assistant, 2 passed to your staff", "R$159.90"]),
    ],
)
def test_the_summary_reads_in_the_owners_language(locale: str, expect: list[str]) -> None:
    text = summary_text(
        add_week(HOURS, "BRL"),
        shop="Loja da Ana",
        start=date(2026, 11, 23),
        end=date(2026, 11, 29),
        currency="BRL",
        locale=locale,
        names={"D-1": "Vestido azul", "J-2": "Jaqueta"},
    )
    for part in expect:
        assert part in text, (part, text)
    assert "D-1" not in text and "_other" not in text


def test_a_quiet_week_says_so() -> None:
    text = summary_text(
        add_week([], "USD"),
        shop="S",
        start=date(2026, 11, 23),
        end=date(2026, 11, 29),
        currency="USD",
        locale="en",
        names={},
    )
    assert "quiet week" in text


def test_the_week_is_the_shops_monday_to_sunday_and_due_monday_morning_local() -> None:
    # Monday 07:30 in São Paulo (10:30 UTC): not yet; 08:30 local: last week's summary is due.
    assert last_week(datetime(2026, 11, 30, 10, 30, tzinfo=UTC), "America/Sao_Paulo") is None
    monday, start, end = last_week(datetime(2026, 11, 30, 11, 30, tzinfo=UTC), "America/Sao_Paulo") or (
        None,
        None,
        None,
    )
    assert monday == date(2026, 11, 23)
    ids = week_hour_ids(start, end)
    assert len(ids) == 168
    assert ids[0] == "hour_2026-11-23T03" and ids[-1] == "hour_2026-11-30T02"
