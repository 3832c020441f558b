"""`poll --tenant T [--json]`: poll a tenant's sheet now."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("poll", help="poll a tenant's sheet now and print what changed")
    parser.add_argument("--tenant", required=True, help="tenant id, e.g. demo")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    parser.add_argument(
        "--force", action="store_true", help="read the sheet even if its version is unchanged"
    )
    parser.add_argument(
        "--accept-shrink",
        action="store_true",
        help="apply a read the no-wipe rule held back (the sheet really lost most of its rows)",
    )
    parser.set_defaults(func=_poll)


def _poll(args: argparse.Namespace) -> int:
    from shared.sheets.poll import poll_tenant

    result = poll_tenant(
        args.tenant, force=args.force or args.accept_shrink, accept_shrink=args.accept_shrink
    )
    if args.json:
        print(result.model_dump_json())
    else:
        state = (
            "unchanged (version)" if result.skipped else f"{result.changed} changed, {result.removed} removed"
        )
        print(f"{result.tenant_id} {result.source}: {state}")
        print(
            f"  rows {result.rows}  valid {result.valid}  invalid {result.invalid}  "
            f"unchanged {result.unchanged}  written {result.written}  {result.duration_ms:.0f} ms"
        )
        if result.anomaly:
            print(f"  held back: {result.anomaly} (poll --accept-shrink applies it)")
        if result.error:
            print(f"  read failed: {result.error}")
    return 1 if result.error else 0
