"""`kpis --tenant T [--day YYYY-MM-DD] [--json]`: a day's KPIs (today, UTC, by default)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from shared.analytics.kpis import KPIS, compute_kpis, read_period
from shared.errors import BadRequest
from shared.storage import utcnow
from shared.tenants import get_tenant


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("kpis", help="print a tenant's KPIs for a day")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--day", help="YYYY-MM-DD (UTC); default today")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_kpis)


def _kpis(args: argparse.Namespace) -> int:
    day = args.day or utcnow().date().isoformat()
    try:
        date.fromisoformat(day)
    except ValueError:
        raise BadRequest(f"--day must be YYYY-MM-DD, not {day!r}") from None
    currency = get_tenant(args.tenant).currency
    doc = read_period(args.tenant, f"day_{day}")
    values = compute_kpis(doc, currency)
    if args.json:
        print(json.dumps({"tenant": args.tenant, "day": day, "currency": currency, "kpis": values}))
        return 0
    print(f"KPIs for {args.tenant} on {day} (UTC; {int(doc.get('events', 0))} events counted)")
    width = max(len(k.name) for k in KPIS)
    for kpi in KPIS:
        print(f"  {kpi.name:<{width}}  {_show(values[kpi.name]):<28} {kpi.unit}")
    return 0


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
