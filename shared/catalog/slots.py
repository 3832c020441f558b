"""Bookable slots of a service, written in one sheet cell.

Format: entries separated by `;`, new lines or `, `, each `WHEN TIME [BOOKED/CAPACITY]`, where
WHEN is a date (`2026-07-01`, `15/12`, `15 dez`), `today`/`tomorrow` or a weekday in any of the
six languages (`Sat`, `Sáb`, `sábado`, `samedi`, `Sabtu`, `शनिवार`), and TIME is `10:00`,
`10.30`, `10h`, `10h30` or `2pm`; e.g. `Sat 10:00 1/4; Sáb 14h 0/4; 2026-07-01 09:30 2/2`.

A weekday makes a weekly timetable that rolls forward by itself: `Sat 10:00` is this Saturday
until 10:00 on it, then next Saturday. A dated slot disappears at its time. Without `B/C` a slot
has capacity 1 and nothing booked.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel

from shared.catalog.cells import CellError, parse_date
from shared.catalog.words import lexicon

_SEPARATORS = re.compile(r"[;\n|]|,\s*(?=[^\W\d_])")
_TIME = re.compile(
    r"(?<![\d/.,:])(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2})|(?P<hour>h)|\s?(?P<ampm>[ap])\.?m\b\.?)(?![\d/])",
    re.IGNORECASE,
)
_CAPACITY = re.compile(r"(?:\(?\s*(?P<booked>\d+)\s*/\s*(?P<cap>\d+)\s*\)?)?")


class Slot(BaseModel):
    sku: str
    date: str  # YYYY-MM-DD
    start: str  # HH:MM
    capacity: int
    booked: int

    @property
    def slot_id(self) -> str:
        return f"{self.sku}__{self.date}T{self.start.replace(':', '')}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def starts_at(self) -> datetime:
        """The slot's start in the tenant's local time (naive)."""
        return datetime.combine(date.fromisoformat(self.date), time.fromisoformat(self.start))


def _weekday_or_word(when: str, today: date, *, language: str | None) -> date | None:
    words = lexicon()
    if words.has("today", when):
        return today
    if words.has("tomorrow", when):
        return today + timedelta(days=1)
    weekday = words.weekday(when, prefer=language)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    return None


def _split_entry(entry: str) -> tuple[str, int, int, str] | None:
    """(WHEN, hours, minutes, what follows) of an entry, from its last time-like token."""
    matches = list(_TIME.finditer(entry))
    if not matches:
        return None
    match = matches[-1]
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    if match["ampm"]:
        if not 1 <= hours <= 12:
            raise CellError(f"bad time in slot {entry!r}")
        hours = hours % 12 + (12 if match["ampm"].lower() == "p" else 0)
    return entry[: match.start()].strip(" ,-–@"), hours, minutes, entry[match.end() :].strip()


def parse_slots(
    cell: str,
    *,
    sku: str,
    today: date,
    now: datetime | None = None,
    locale: str | None = None,
    language: str | None = None,
) -> list[Slot]:
    """The upcoming slots in a cell (`now`: the tenant's local time, naive; default: the start of
    `today`); raises CellError naming the first entry it cannot read."""
    now = now or datetime.combine(today, time())
    slots: dict[str, Slot] = {}
    for raw in _SEPARATORS.split(cell):
        entry = " ".join(raw.split())
        if not entry:
            continue
        parts = _split_entry(entry)
        capacity_match = _CAPACITY.fullmatch(parts[3]) if parts else None
        if parts is None or not parts[0] or capacity_match is None:
            raise CellError(f"cannot read slot {entry!r} (expected e.g. 'Sat 10:00 1/4')")
        when, hours, minutes, _ = parts
        if hours > 23 or minutes > 59:
            raise CellError(f"bad time in slot {entry!r}")
        start = time(hours, minutes)
        weekly = _weekday_or_word(when, today, language=language)
        try:
            day = weekly or parse_date(when, locale=locale, today=today)
        except CellError:
            raise CellError(f"cannot read the day of slot {entry!r}") from None
        if day is None:
            raise CellError("slot has no date")
        if datetime.combine(day, start) <= now:
            if weekly is None or lexicon().weekday(when, prefer=language) is None:
                continue  # a dated slot whose time has passed cannot be booked any more
            day += timedelta(days=7)  # a weekly slot rolls on to next week
        capacity = int(capacity_match["cap"]) if capacity_match["cap"] else 1
        booked = int(capacity_match["booked"]) if capacity_match["booked"] else 0
        if capacity < 1 or booked > capacity:
            raise CellError(f"slot {entry!r} is booked beyond its capacity")
        slot = Slot(
            sku=sku, date=day.isoformat(), start=start.strftime("%H:%M"), capacity=capacity, booked=booked
        )
        slots[slot.slot_id] = slot
    return sorted(slots.values(), key=lambda s: (s.date, s.start))
