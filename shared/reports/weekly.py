"""The weekly summary to the owner: last week's figures, in the owner's language and timezone.

Sent once per ISO week, on the first tick after Monday 08:00 in the shop's timezone, over the
owner's channels (`notify_webhook_url`, `owner_wa_id`: the same ones alerts use). The week is the
shop's Monday 00:00 to Sunday 24:00, added up from the UTC hour documents of analytics (a UTC
day document would cut the shop's week in the wrong place). Guarded per week and channel by
`tenants/{T}/weekly_summaries/{YYYY-Www}.{channel}` (`create()`), so redelivered ticks never send
twice; a failed send releases the guard and the next tick tries again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.analytics.periods import hour_id
from shared.i18n.catalog import language_of, message
from shared.money import babel_locale, format_money

SEND_AFTER = time(8, 0)  # local time on Monday
COLLECTION = "weekly_summaries"


@dataclass(frozen=True)
class WeekFigures:
    conversations: int = 0
    handoffs: int = 0
    conversions: int = 0
    revenue_minor: int = 0
    ratings: int = 0
    rating_sum: float = 0.0
    asked: dict[str, int] = field(default_factory=dict)
    asked_out_of_stock: dict[str, int] = field(default_factory=dict)


def _int(doc: Mapping[str, Any], key: str) -> int:
    value = doc.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def add_week(hours: Iterable[Mapping[str, Any]], currency: str) -> WeekFigures:
    """The week's figures from its hour documents (counters and per-SKU maps add up)."""
    totals: dict[str, int] = {}
    rating_sum = 0.0
    asked: dict[str, int] = {}
    out: dict[str, int] = {}
    revenue = 0
    for doc in hours:
        for key in ("conversations", "handoffs", "conversions", "ratings"):
            totals[key] = totals.get(key, 0) + _int(doc, key)
        value = doc.get("rating_sum", 0)
        rating_sum += float(value) if isinstance(value, int | float) else 0.0
        revenue += int((doc.get("revenue_minor_by_currency") or {}).get(currency, 0))
        for into, name in ((asked, "asked"), (out, "asked_out_of_stock")):
            for sku, count in (doc.get(name) or {}).items():
                if sku != "_other":
                    into[sku] = into.get(sku, 0) + int(count)
    return WeekFigures(
        conversations=totals.get("conversations", 0),
        handoffs=totals.get("handoffs", 0),
        conversions=totals.get("conversions", 0),
        revenue_minor=revenue,
        ratings=totals.get("ratings", 0),
        rating_sum=rating_sum,
        asked=asked,
        asked_out_of_stock=out,
    )


def last_week(now: datetime, timezone: str) -> tuple[date, datetime, datetime] | None:
    """(Monday, start, end) of the week to report, once it is Monday 08:00 or later locally, else
    None if this week's summary is not due yet. Start and end are aware datetimes in the shop's zone."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    this_monday = local.date() - timedelta(days=local.weekday())
    if local.weekday() == 0 and local.time() < SEND_AFTER:
        return None
    monday = this_monday - timedelta(days=7)
    start = datetime.combine(monday, time(0), zone)
    end = datetime.combine(this_monday, time(0), zone)
    return monday, start, end


def week_hour_ids(start: datetime, end: datetime) -> list[str]:
    """The UTC hour document ids covering [start, end)."""
    ids: list[str] = []
    at = start
    while at < end:
        ids.append(hour_id(at))
        at += timedelta(hours=1)
    return ids


def _top(counts: Mapping[str, int], names: Mapping[str, str], limit: int = 3) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return ", ".join(f"{names.get(sku, sku)} ({count})" for sku, count in ranked)


def summary_text(
    figures: WeekFigures,
    *,
    shop: str,
    start: date,
    end: date,
    currency: str,
    locale: str,
    names: Mapping[str, str],
) -> str:
    """The summary message in the shop's language, money and dates formatted for its locale."""
    from babel.dates import format_date
    from babel.numbers import format_decimal

    lang = language_of(locale)
    where = babel_locale(locale)
    lines = [
        message(
            "weekly.title",
            lang,
            shop=shop,
            start=format_date(start, "medium", locale=where),
            end=format_date(end, "medium", locale=where),
        )
    ]
    if not figures.conversations:
        lines.append(message("weekly.quiet", lang))
    else:
        assistant = max(0, figures.conversations - figures.handoffs)
        lines.append(
            message(
                "weekly.conversations",
                lang,
                count=figures.conversations,
                assistant=assistant,
                staff=figures.handoffs,
            )
        )
        if figures.conversions:
            amount = format_money(figures.revenue_minor, currency, locale)
            lines.append(message("weekly.sales", lang, amount=amount, orders=figures.conversions))
        else:
            lines.append(message("weekly.no_sales", lang))
        if figures.ratings:
            rating = format_decimal(figures.rating_sum / figures.ratings, "0.0", locale=where)
            lines.append(message("weekly.rating", lang, rating=rating))
        if figures.asked:
            lines.append(message("weekly.top", lang, items=_top(figures.asked, names)))
        if figures.asked_out_of_stock:
            lines.append(message("weekly.out_of_stock", lang, items=_top(figures.asked_out_of_stock, names)))
    lines.append(message("weekly.footer", lang))
    return "\n".join(lines)


def send_weekly_summary(tenant_id: str, now: datetime) -> dict[str, str]:
    """Send last week's summary to the owner if it is due and not yet sent; channel -> outcome."""
    from google.api_core.exceptions import AlreadyExists

    from shared.alerts.notify import channels
    from shared.clients import firestore_client
    from shared.errors import PermanentError, TransientError
    from shared.log import get_logger, log_event
    from shared.storage import tenant_collection, utcnow
    from shared.tenants import get_tenant

    log = get_logger(__name__)
    tenant = get_tenant(tenant_id)
    senders = channels(tenant)
    due = last_week(now, tenant.timezone)
    if not senders or due is None:
        return {}
    monday, start, end = due
    iso = monday.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    guards = tenant_collection(tenant_id, COLLECTION)
    pending = {c: s for c, s in senders.items() if not guards.document(f"{week}.{c}").get().exists}
    if not pending:
        return {}
    analytics = tenant_collection(tenant_id, "analytics")
    ids = week_hour_ids(start, end)
    refs = [analytics.document(i) for i in ids]
    docs = [s.to_dict() or {} for s in firestore_client().get_all(refs) if s.exists]
    figures = add_week(docs, tenant.currency)
    skus = sorted(set(figures.asked) | set(figures.asked_out_of_stock))
    catalog = tenant_collection(tenant_id, "catalog")
    names = {
        s.id: str((s.to_dict() or {}).get("name") or s.id)
        for s in (firestore_client().get_all([catalog.document(k) for k in skus]) if skus else [])
        if s.exists
    }
    text = summary_text(
        figures,
        shop=tenant.business_name,
        start=monday,
        end=monday + timedelta(days=6),
        currency=tenant.currency,
        locale=tenant.locale,
        names=names,
    )
    outcomes: dict[str, str] = {}
    for channel, send in pending.items():
        guard = guards.document(f"{week}.{channel}")
        try:
            guard.create({"status": "sending", "claimed_at": utcnow()})
        except AlreadyExists:
            outcomes[channel] = "skipped"
            continue
        try:
            send(tenant, text, f"{tenant_id}.weekly.{week}.{channel}")
        except TransientError as exc:
            guard.delete()  # the next tick tries again
            outcomes[channel] = "failed"
            log_event(log, 30, "weekly summary failed", tenant_id=tenant_id, channel=channel, error=str(exc))
            continue
        except PermanentError as exc:
            guard.update({"status": "gave_up", "error": str(exc)[:300]})
            outcomes[channel] = "gave_up"
            continue
        guard.update({"status": "sent", "sent_at": utcnow(), "week": week})
        outcomes[channel] = "sent"
        log_event(log, 20, "weekly summary sent", tenant_id=tenant_id, channel=channel, week=week)
    return outcomes
