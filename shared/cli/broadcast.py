"""`broadcast send|list|counts`: a template to a segment of customers, from a terminal.

`broadcast send --tenant T --template announcement --text "…" [--tag TAG] [--language L]
[--asked SKU] [--bought SKU] [--seen-within DAYS] [--at ISO-TIME] [--yes]` prints how many
customers it reaches per language and the message; with `--yes` it stores the broadcast and, if
due now, sends it here, paced, until done (the scheduled `respond.outreach` run sends the ones
set for later, and finishes any run cut short). Opted-out customers are never included.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from shared.broadcasts.segment import Segment
from shared.broadcasts.send import (
    BROADCAST_TEMPLATES,
    COLLECTION,
    create_broadcast,
    preview,
    refresh_counts,
    run_broadcast,
)
from shared.errors import BadRequest
from shared.storage import tenant_collection, utcnow


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("broadcast", help="send a template to a segment of customers; list broadcasts")
    bsub = parser.add_subparsers(dest="broadcast_command", metavar="ACTION", required=True)
    send = bsub.add_parser("send", help="count, preview and (with --yes) send a broadcast")
    send.add_argument("--tenant", required=True)
    send.add_argument("--template", default="announcement", choices=BROADCAST_TEMPLATES)
    send.add_argument("--text", required=True, help="the template's text parameter")
    send.add_argument("--tag", action="append", default=[], help="customers with this tag (repeatable: any)")
    send.add_argument("--language", help="only customers writing in this language (en, es, pt, fr, id, hi)")
    send.add_argument("--asked", metavar="SKU", help="only customers who asked about this item")
    send.add_argument("--bought", metavar="SKU", help="only customers who bought this item")
    send.add_argument("--seen-within", type=int, metavar="DAYS", help="only customers who wrote lately")
    send.add_argument("--at", help="send at this time (ISO 8601 with a timezone) instead of now")
    send.add_argument("--yes", action="store_true", help="send; without it only count and preview")
    send.set_defaults(func=_send)
    lst = bsub.add_parser("list", help="the tenant's broadcasts with their counts")
    lst.add_argument("--tenant", required=True)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)


def _send(args: argparse.Namespace) -> int:
    from shared.i18n.catalog import language_of
    from shared.tenants import get_tenant

    tenant = get_tenant(args.tenant)
    segment = Segment(
        tags=tuple(args.tag),
        language=args.language,
        asked_sku=args.asked,
        bought_sku=args.bought,
        seen_within_days=args.seen_within,
    )
    now = utcnow()
    send_at = now
    if args.at:
        try:
            send_at = datetime.fromisoformat(args.at)
        except ValueError:
            raise BadRequest(
                f"--at {args.at!r} is not an ISO 8601 time (e.g. 2026-12-24T09:00:00-03:00)"
            ) from None
        if send_at.tzinfo is None:
            raise BadRequest("--at needs a timezone offset, e.g. 2026-12-24T09:00:00-03:00")
    counts = preview(args.tenant, segment, now, language_of(tenant.locale))
    total = sum(counts.values())
    print(f"Segment: {segment.describe()} (opted-out customers are never included)")
    print(
        f"Reaches {total} customer(s): "
        + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none")
    )
    print(f"Template {args.template!r} with the text:\n  {args.text}")
    if not args.yes:
        print("Nothing sent: add --yes to send.")
        return 0
    if not total:
        print("Nothing to send: no customer matches.", file=sys.stderr)
        return 1
    broadcast_id = create_broadcast(
        args.tenant,
        template=args.template,
        text=args.text,
        segment=segment,
        send_at=send_at,
        created_by="cli",
    )
    if send_at > now:
        print(f"Scheduled broadcast {broadcast_id} for {send_at.isoformat()}.")
        return 0
    while True:
        progress = run_broadcast(args.tenant, broadcast_id, utcnow())
        print(f"  sent {progress.sent}, skipped (opted out) {progress.skipped}, failed {progress.failed}")
        if progress.status != "sending" or not progress.remaining:
            break
        if progress.sent == 0 and progress.failed == 0:
            print("The number's 24-hour messaging limit is reached: the scheduled run continues later.")
            return 0
    print(f"Broadcast {broadcast_id}: {progress.status}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    col = tenant_collection(args.tenant, COLLECTION)
    rows = []
    for snap in col.stream():
        data = snap.to_dict() or {}
        if data.get("status") == "done":
            data |= refresh_counts(args.tenant, snap.id, utcnow())
        rows.append(
            {
                "id": snap.id,
                **{
                    k: data.get(k)
                    for k in (
                        "name",
                        "status",
                        "audience",
                        "sent",
                        "skipped_opted_out",
                        "failed",
                        "delivered",
                        "read",
                        "replied",
                    )
                },
            }
        )
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    for r in rows:
        print(
            f"{r['id']}  {r['status']:<9} audience {r['audience'] or 0}  sent {r['sent'] or 0}  delivered "
            f"{r['delivered'] or 0}  read {r['read'] or 0}  replied {r['replied'] or 0}  {r['name']}"
        )
    if not rows:
        print("No broadcasts yet.")
    return 0
