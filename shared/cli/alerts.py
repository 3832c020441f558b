"""`alerts --tenant T [--json]`, `alerts evaluate --tenant T`, `alerts ack --tenant T ALERT_ID`."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from shared.alerts.evaluate import evaluate_tenant
from shared.alerts.lifecycle import acknowledge
from shared.errors import BadRequest
from shared.storage import tenant_collection, utcnow


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("alerts", help="list, evaluate or acknowledge a tenant's alerts")
    parser.add_argument("--tenant", help="tenant id (required)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--all", action="store_true", help="include resolved alerts")
    parser.set_defaults(func=_list)
    asub = parser.add_subparsers(dest="alerts_command", metavar="ACTION")

    evaluate = asub.add_parser("evaluate", help="run every alert rule now")
    evaluate.add_argument("--tenant", required=True)
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(func=_evaluate)

    ack = asub.add_parser("ack", help="acknowledge an open alert")
    ack.add_argument("--tenant", required=True)
    ack.add_argument("--json", action="store_true")
    ack.add_argument("alert_id")
    ack.set_defaults(func=_ack)


def _jsonable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in doc.items()}


def _list(args: argparse.Namespace) -> int:
    if not args.tenant:
        raise BadRequest("alerts needs --tenant T")
    alerts = [
        {"id": s.id, **_jsonable(s.to_dict() or {})}
        for s in tenant_collection(args.tenant, "alerts").stream()
    ]
    if not args.all:
        alerts = [a for a in alerts if a.get("status") != "resolved"]
    alerts.sort(key=lambda a: str(a.get("last_seen", "")), reverse=True)
    if args.json:
        print(json.dumps({"tenant": args.tenant, "alerts": alerts}, default=str))
        return 0
    if not alerts:
        print(f"no {'' if args.all else 'open '}alerts for {args.tenant}")
        return 0
    rows = [
        (
            a["id"],
            a.get("status", ""),
            a.get("severity", ""),
            a.get("type", ""),
            str(a.get("last_seen", ""))[:19],
            a.get("title", ""),
        )
        for a in alerts
    ]
    header = ("ID", "STATUS", "SEVERITY", "TYPE", "LAST SEEN (UTC)", "TITLE")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row[:5], widths, strict=True)) + "  " + str(row[5]))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    result = evaluate_tenant(args.tenant)
    if args.json:
        print(
            json.dumps(
                {
                    "tenant": args.tenant,
                    "rules": result.rules,
                    "changes": result.changes,
                    "notifications": result.notifications,
                }
            )
        )
        return 0
    print(f"evaluated {len(result.rules)} rules for {args.tenant}")
    for alert_id, change in sorted(result.changes.items()):
        sent = result.notifications.get(alert_id)
        print(f"  {change:<9} {alert_id}" + (f"  (notified: {sent})" if sent else ""))
    if not result.changes:
        print("  no changes")
    return 0


def _ack(args: argparse.Namespace) -> int:
    try:
        doc = acknowledge(args.tenant, args.alert_id, utcnow())
    except KeyError:
        raise BadRequest(f"no alert {args.alert_id!r} for tenant {args.tenant}") from None
    if args.json:
        print(json.dumps({"id": args.alert_id, **_jsonable(doc)}, default=str))
    else:
        print(f"{args.alert_id}: {doc.get('status')}")
    return 0
