"""Expected fill time of a bookable slot from how its bookings grew."""

from __future__ import annotations

DAY = 86_400.0


def expected_fill_days(points: list[tuple[float, int]], *, capacity: int) -> float | None:
    """Days until the slot is full at the booking pace seen so far; 0 when full; None when no
    booking has been seen yet (no pace to extrapolate)."""
    if not points:
        return None
    booked = points[-1][1]
    if booked >= capacity:
        return 0.0
    first_t, first_b = points[0]
    last_t = points[-1][0]
    gained, elapsed = booked - first_b, (last_t - first_t) / DAY
    if gained <= 0 or elapsed <= 0:
        return None
    return round((capacity - booked) / (gained / elapsed), 2)
