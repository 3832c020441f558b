"""The no-wipe rule and freshness, as pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.catalog.freshness import assess, sheet_freshness
from shared.catalog.safety import header_anomaly, shrink_anomaly

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_far_fewer_rows_than_the_last_good_read_is_an_anomaly() -> None:
    assert shrink_anomaly(rows=2, last_good_rows=50) is not None
    assert shrink_anomaly(rows=24, last_good_rows=50) is not None
    assert shrink_anomaly(rows=25, last_good_rows=50) is None  # half is plausible (a big clear-out)
    assert shrink_anomaly(rows=0, last_good_rows=3) is None  # tiny sheets: nothing to protect
    assert shrink_anomaly(rows=0, last_good_rows=0) is None  # first import
    assert header_anomaly(["price"]) is not None and header_anomaly([]) is None


def test_freshness() -> None:
    assert assess(NOW - timedelta(minutes=30), now=NOW, stale_after_minutes=120).stale is False
    old = assess(NOW - timedelta(minutes=121), now=NOW, stale_after_minutes=120)
    assert old.stale is True and old.age_minutes == 121.0
    assert assess(None, now=NOW, stale_after_minutes=120).stale is True
    state = {"last_checked_at": NOW - timedelta(hours=3)}
    assert sheet_freshness(state, now=NOW, stale_after_minutes=120).stale is True
