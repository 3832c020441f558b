"""plan_poll, the pure decision of a poll, and the slot clock: weekly slots roll forward and past
slots disappear at their time even when nobody edits the sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.catalog.columns import map_headers
from shared.catalog.diff import diff_rows
from shared.catalog.rows import Context
from shared.catalog.slots import parse_slots
from shared.sheets.poll import PollState, next_slot_boundary, plan_poll

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # a Saturday
SEEN = PollState(version="7", fingerprint="f", current_fingerprint="f", slots_salt="2026-12-04T09:00+00:00")


def test_an_unchanged_sheet_without_slots_is_not_read() -> None:
    plan = plan_poll(SEEN, "7", NOW)
    assert (plan.read, plan.reason) == (False, "unchanged")


def test_what_makes_a_poll_read() -> None:
    assert plan_poll(PollState(current_fingerprint="f"), "1", NOW).reason == "first"
    assert plan_poll(SEEN, "8", NOW).reason == "changed"
    changed_settings = PollState(version="7", fingerprint="old", current_fingerprint="f")
    assert (plan_poll(changed_settings, "7", NOW).reason, plan_poll(changed_settings, "7", NOW).full) == (
        "settings",
        True,
    )
    assert plan_poll(
        PollState(version="7", fingerprint="f", current_fingerprint="f", force=True), "7", NOW
    ).read
    switched = PollState(version="7", fingerprint="f", current_fingerprint="f", switched_from="other")
    assert (plan_poll(switched, "7", NOW).reason, plan_poll(switched, "7", NOW).full) == ("switched", True)


def test_an_unchanged_sheet_with_slots_is_read_again_when_a_slot_passes() -> None:
    due = PollState(
        version="7", fingerprint="f", current_fingerprint="f", slots_next_at=NOW, slots_salt="old"
    )
    before = plan_poll(due, "7", NOW - timedelta(minutes=1))
    assert (before.read, before.slots_salt) == (False, "old")
    at = plan_poll(due, "7", NOW)
    assert (at.read, at.reason) == (True, "slots")
    assert at.slots_salt != "old"  # rows with slots are interpreted again, the others are not


def test_weekly_slots_roll_to_next_week_at_their_time_and_dated_ones_disappear() -> None:
    cell = "Sáb 10:00 0/3; 2026-12-05 16:00 0/1; sábado 18h 1/2"
    saturday = date(2026, 12, 5)
    morning = parse_slots(cell, sku="S", today=saturday, now=datetime(2026, 12, 5, 9, 0))
    assert [(s.date, s.start) for s in morning] == [
        ("2026-12-05", "10:00"),
        ("2026-12-05", "16:00"),
        ("2026-12-05", "18:00"),
    ]
    evening = parse_slots(cell, sku="S", today=saturday, now=datetime(2026, 12, 5, 17, 0))
    assert [(s.date, s.start) for s in evening] == [("2026-12-05", "18:00"), ("2026-12-12", "10:00")]


def test_the_next_boundary_is_the_first_upcoming_slot_or_midnight() -> None:
    zone = ZoneInfo("America/Sao_Paulo")
    header = map_headers(["Produto", "Preço", "Horários"])
    local = datetime(2026, 12, 5, 9, 0)
    ctx = Context(currency="BRL", low_stock_threshold=5, today=local.date(), locale="pt-BR", now=local)
    diff = diff_rows([(2, ["Corte", "R$ 80", "Sáb 10h 0/3; Dom 10h"])], header, {}, ctx)
    now = local.replace(tzinfo=zone)
    boundary = next_slot_boundary(diff, previous=None, ctx=ctx, zone=zone, now=now)
    assert boundary == datetime(2026, 12, 5, 10, 0, tzinfo=zone).astimezone(UTC)
    no_slots = diff_rows([(2, ["Corte", "R$ 80", ""])], header, {}, ctx)
    assert next_slot_boundary(no_slots, previous=None, ctx=ctx, zone=zone, now=now) is None
    # Only Sunday's slot left: midnight comes first (weekday names change meaning then).
    later = diff_rows([(2, ["Corte", "R$ 80", "Dom 10h"])], header, {}, ctx)
    assert next_slot_boundary(later, previous=None, ctx=ctx, zone=zone, now=now) == datetime(
        2026, 12, 6, 0, 0, tzinfo=zone
    ).astimezone(UTC)


def test_slot_rows_are_reinterpreted_only_when_the_epoch_moves() -> None:
    header = map_headers(["Name", "Price", "Slots"])
    local = datetime(2026, 12, 5, 9, 0)
    rows = [(2, ["Haircut", "$35", "Sat 10:00 0/3"]), (3, ["Shampoo", "$9", ""])]
    ctx = Context(currency="USD", low_stock_threshold=5, today=local.date(), now=local, slot_epoch="a")
    first = diff_rows(rows, header, {}, ctx)
    same = diff_rows(rows, header, first.state, ctx)
    assert same.interpreted == 0
    later = datetime(2026, 12, 5, 10, 1)
    moved = Context(currency="USD", low_stock_threshold=5, today=later.date(), now=later, slot_epoch="b")
    rolled = diff_rows(rows, header, first.state, moved)
    assert rolled.interpreted == 1
    assert [(s.date, s.start) for s in rolled.to_write[0].slots] == [("2026-12-12", "10:00")]


def test_slot_cells_in_every_language_and_date_order() -> None:
    thursday = date(2026, 12, 3)

    def read(cell: str, locale: str) -> list[tuple[str, str, int, int]]:
        slots = parse_slots(cell, sku="S", today=thursday, locale=locale)
        return [(s.date, s.start, s.booked, s.capacity) for s in slots]

    assert read("15/12 10h30 1/2", "pt-BR") == [("2026-12-15", "10:30", 1, 2)]
    assert read("12/15 2pm", "en-US") == [("2026-12-15", "14:00", 0, 1)]
    assert read("samedi 9h 0/4; dimanche 14h", "fr-FR") == [
        ("2026-12-05", "09:00", 0, 4),
        ("2026-12-06", "14:00", 0, 1),
    ]
    assert read("Sabtu 10.00 2/3\nbesok 13.30", "id-ID") == [
        ("2026-12-04", "13:30", 0, 1),
        ("2026-12-05", "10:00", 2, 3),
    ]
    assert read("शनिवार 11:00 0/2, kal 17:00", "hi-IN") == [
        ("2026-12-04", "17:00", 0, 1),
        ("2026-12-05", "11:00", 0, 2),
    ]
    assert read("mañana 10:00 3/3", "es-MX") == [("2026-12-04", "10:00", 3, 3)]
