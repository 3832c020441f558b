"""Analytics period ids: `hour_YYYY-MM-DDTHH` and `day_YYYY-MM-DD`, always in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def as_utc(at: datetime) -> datetime:
    """`at` in UTC (a naive datetime is taken to be UTC already)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def hour_id(at: datetime) -> str:
    return "hour_" + as_utc(at).strftime("%Y-%m-%dT%H")


def day_id(at: datetime) -> str:
    return "day_" + as_utc(at).strftime("%Y-%m-%d")


def epoch_hour(at: datetime) -> int:
    """Whole hours since the Unix epoch (how customer memory stores first-seen times)."""
    return int(as_utc(at).timestamp() // 3600)


def period_start(period: str) -> datetime:
    """The first instant of a period id."""
    kind, _, stamp = period.partition("_")
    fmt = "%Y-%m-%dT%H" if kind == "hour" else "%Y-%m-%d"
    return datetime.strptime(stamp, fmt).replace(tzinfo=UTC)


def recent_hours(now: datetime, hours: int) -> list[str]:
    """Ids of the `hours` hour periods ending with the one containing `now`, oldest first."""
    now = as_utc(now)
    return [hour_id(now - timedelta(hours=h)) for h in range(hours - 1, -1, -1)]
