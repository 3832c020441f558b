"""`status [--tenant T] [--json]`: every part of the system green, amber or red, with the reason."""

from __future__ import annotations

import argparse
import json
from typing import Any

from shared.status.collect import collect, dead_lettered
from shared.status.health import overall
from shared.storage import utcnow
from shared.tenants import tenant_ids

SYMBOL = {"green": "●", "amber": "▲", "red": "■", "grey": "○"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("status", help="system health: sheets, webhook, worker, AI providers, roll-up")
    parser.add_argument("--tenant", help="one tenant (default: every tenant)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_status)


def _status(args: argparse.Namespace) -> int:
    now = utcnow()
    dead = dead_lettered()
    report: dict[str, dict[str, Any]] = {}
    levels: list[str] = []
    for tenant_id in [args.tenant] if args.tenant else tenant_ids():
        lights = collect(tenant_id, now, dead=dead)
        levels.append(overall(lights))
        report[tenant_id] = {"overall": levels[-1], "lights": [light.as_dict() for light in lights]}
    if args.json:
        print(json.dumps(report))
    else:
        for tenant_id, result in report.items():
            print(f"{tenant_id}: {result['overall'].upper()}")
            for light in result["lights"]:
                print(f"  {SYMBOL[light['level']]} {light['level']:<5} {light['name']}: {light['reason']}")
    worst = max(
        (r["overall"] for r in report.values()), key=["grey", "green", "amber", "red"].index, default="grey"
    )
    return 1 if worst == "red" else 0
