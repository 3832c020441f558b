"""`rollup --tenant T`: fold the waiting conversation events into the KPI documents now."""

from __future__ import annotations

import argparse
import json

from shared.analytics.rollup import run_rollup


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("rollup", help="roll the waiting conversation events up into KPIs now")
    parser.add_argument("--tenant", required=True, help="tenant id (the run drains every tenant's events)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=_rollup)


def _rollup(args: argparse.Namespace) -> int:
    result = run_rollup()
    summary = result.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"rolled up {summary['counted']} new event(s) in {summary['seconds']} s "
            f"({summary['duplicates']} duplicate(s) skipped, {summary['writes']} document write(s))"
        )
        print(f"see: python -m shared.cli kpis --tenant {args.tenant}")
    return 0
