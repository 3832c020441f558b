"""How often a shop's sheet is polled: its own interval, stretched while the sheet is quiet.

    effective_interval(60, quiet_for_s=0)        -> 60     (changed or pushed recently)
    effective_interval(60, quiet_for_s=3 * 3600) -> 240    (quiet 3 h: x4)
    effective_interval(60, quiet_for_s=9 * 3600) -> 900    (capped at POLL_BACKOFF_MAX_S)

A sheet unchanged for `after_s` (an hour) is polled at twice its interval, then doubles again
for each further doubling of the quiet time, never above `max_s` (15 minutes: far under the
2-hour staleness alert, and an Apps Script push still brings an edit in at once). The first
change or push puts it back on its own interval.
"""

from __future__ import annotations

import math

MIN_INTERVAL_S = 5
MAX_INTERVAL_S = 3600
DEFAULT_INTERVAL_S = 60


def effective_interval(
    base_s: float, *, quiet_for_s: float, after_s: float = 3600, max_s: float = 900
) -> float:
    """The interval to wait before the next poll of a sheet quiet for `quiet_for_s` seconds."""
    if quiet_for_s < after_s:
        return base_s
    doublings = 1 + int(math.log2(quiet_for_s / after_s))
    return max(base_s, min(max_s, base_s * 2**doublings))


def failure_interval(base_s: float, failures: int, *, max_s: float = 900) -> float:
    """After `failures` failed polls in a row: the interval doubled per failure, capped."""
    return max(base_s, min(max_s, base_s * 2 ** min(failures, 20)))
