"""Bookable slots of a service, written in one sheet cell.

Format: entries separated by `;` or new lines, each `WHEN HH:MM [BOOKED/CAPACITY]`, where WHEN is
an ISO date, `today`, `tomorrow` or a weekday (`Sat` = the next Saturday, today included), e.g.
`Sat 10:00 1/4; Sat 14:00 0/4; 2025-07-01 09:30 2/2`. Weekdays make a weekly timetable that rolls
forward by itself. Without `B/C` a slot has capacity 1 and nothing booked. Past slots are left out.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel

from shared.catalog.cells import CellError, parse_date

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENTRY = re.compile(
    r"^(?P<when>\S+(?:\s+\d{1,2},?\s+\d{4})?)\s+(?P<time>\d{1,2}[:.]\d{2})\s*(?:(?P<booked>\d+)\s*/\s*(?P<cap>\d+))?$"
)


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


def _resolve_day(when: str, today: date) -> date:
    word = when.lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word[:3] in _WEEKDAYS and word.isalpha():
        return today + timedelta(days=(_WEEKDAYS.index(word[:3]) - today.weekday()) % 7)
    day = parse_date(when)
    if day is None:
        raise CellError("slot has no date")
    return day


def parse_slots(cell: str, *, sku: str, today: date) -> list[Slot]:
    """The slots in a cell; raises CellError naming the first entry it cannot read."""
    slots: dict[str, Slot] = {}
    for raw in re.split(r"[;\n]", cell):
        entry = " ".join(raw.split())
        if not entry:
            continue
        match = _ENTRY.match(entry)
        if not match:
            raise CellError(f"cannot read slot {entry!r} (expected e.g. 'Sat 10:00 1/4')")
        day = _resolve_day(match["when"], today)
        hours, minutes = (int(p) for p in re.split(r"[:.]", match["time"]))
        if hours > 23 or minutes > 59:
            raise CellError(f"bad time in slot {entry!r}")
        capacity = int(match["cap"]) if match["cap"] else 1
        booked = int(match["booked"]) if match["booked"] else 0
        if capacity < 1 or booked > capacity:
            raise CellError(f"slot {entry!r} is booked beyond its capacity")
        if day < today:
            continue  # a slot in the past cannot be booked any more
        slot = Slot(
            sku=sku,
            date=day.isoformat(),
            start=f"{hours:02d}:{minutes:02d}",
            capacity=capacity,
            booked=booked,
        )
        slots[slot.slot_id] = slot
    return sorted(slots.values(), key=lambda s: (s.date, s.start))
