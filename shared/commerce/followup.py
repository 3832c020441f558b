"""The commerce function's one job: follow up order and booking changes, and remind.

`process_pending` sends the pending notices (once: the outbound id is the change id) and
appends the pending sheet rows (once: the tab is checked for the change's key), then clears
the flags of `commerce_changes`; a failure leaves them pending for the retry or the next tick.


- `commerce-changes` (published after each change): that tenant's pending notices and sheet rows.
- `commerce-ticks` (Cloud Scheduler): every tenant's pending follow-ups (anything a failed
  publish or a failed sheet write left behind) and tomorrow's booking reminders.
- A staff request from the dashboard (`orders/{id}/requests/{rid}`, `bookings/{id}/requests/{rid}`)
  applies the requested status (shared.commerce.requests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.commerce.changes import COLLECTION, customer_language
from shared.commerce.notices import BOOKING_NOTICES, ORDER_NOTICES, booking_text, display_locale, order_text
from shared.commerce.reminders import send_reminders
from shared.errors import PermanentError, TransientError
from shared.events import CommerceChange, Tick
from shared.log import get_logger, log_event
from shared.pubsub import decode_message
from shared.storage import tenant_collection, utcnow
from shared.tenants import for_each_tenant

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

log = get_logger(__name__)
BATCH = 200  # changes followed up per run


def decode(body: bytes) -> CommerceChange | Tick:
    """A `commerce-changes` message or a scheduler tick (which names its `job`)."""
    try:
        data: Any = json.loads(body or b"{}")
    except ValueError as exc:
        raise PermanentError(f"commerce message is not JSON: {exc}") from exc
    if isinstance(data, dict) and "tenant_id" in data and "job" not in data:
        return decode_message(body, CommerceChange)
    return decode_message(body, Tick)


def follow_up(message: CommerceChange | Tick) -> None:
    if isinstance(message, CommerceChange):
        result = process_pending(message.tenant_id)
        log_event(log, 20, "commerce follow-ups", tenant_id=message.tenant_id, **vars(result))
        return

    def tick(tenant_id: str) -> int:
        process_pending(tenant_id)
        sync_catalog(tenant_id)
        return send_reminders(tenant_id, now=message.at)

    for_each_tenant(message.tenant_id, tick, what="commerce tick")


@dataclass
class FollowUp:
    notified: int = 0
    rows_written: int = 0
    failed: list[str] = field(default_factory=list)


def notice_text(tenant: TenantConfig, kind: str, status: str, record: dict[str, Any]) -> str:
    lang = customer_language(tenant, record)
    locale = display_locale(lang, tenant.locale)
    if kind == "order":
        return order_text(ORDER_NOTICES[status], record, lang=lang, locale=locale, shop=tenant.business_name)
    return booking_text(BOOKING_NOTICES[status], record, lang=lang, locale=locale)


def _notify(tenant: TenantConfig, change_id: str, change: dict[str, Any], record: dict[str, Any]) -> None:
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store
    from shared.whatsapp.templates import ORDER_UPDATE, TemplateUse

    text = notice_text(tenant, change["kind"], change["status"], record)
    send_and_store(
        tenant,
        record.get("customer_key") or record["wa_id"],
        OutboundMessage(text=text),
        message_id=f"commerce-{change_id}",
        provider="system",
        fallback=TemplateUse.of(ORDER_UPDATE, shop=tenant.business_name, update=text),
        extra={"commerce": {"kind": change["kind"], "id": change["record_id"], "status": change["status"]}},
    )


def process_pending(tenant_id: str, *, limit: int = BATCH) -> FollowUp:
    """Send the pending notices and write the pending sheet rows of `tenant_id`'s changes."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.clients import firestore_client
    from shared.commerce.writeback import write_changes
    from shared.tenants import get_tenant

    tenant = get_tenant(tenant_id)
    col = tenant_collection(tenant_id, COLLECTION)
    snaps = list(col.where(filter=FieldFilter("pending", "==", True)).limit(limit).stream())
    result = FollowUp()
    if not snaps:
        return result
    changes = sorted(((s.id, s.to_dict() or {}) for s in snaps), key=lambda c: c[1]["at"])
    refs = {
        (c["kind"], c["record_id"]): tenant_collection(tenant_id, f"{c['kind']}s").document(c["record_id"])
        for _, c in changes
    }
    found = {s.reference.path: s.to_dict() or {} for s in firestore_client().get_all(list(refs.values()))
             if s.exists}  # fmt: skip
    records = {key: found.get(ref.path) for key, ref in refs.items()}
    done: dict[str, dict[str, Any]] = {}
    sheet_changes = [
        (cid, c, records.get((c["kind"], c["record_id"]))) for cid, c in changes if c.get("sheet")
    ]
    if sheet_changes:
        try:
            result.rows_written = write_changes(tenant, [(cid, c, r or {}) for cid, c, r in sheet_changes])
            for cid, _, _ in sheet_changes:
                done.setdefault(cid, {})["sheet"] = False
        except TransientError as exc:
            log_event(log, 30, "sheet write-back failed, will retry", tenant_id=tenant_id, error=str(exc))
            result.failed.append("sheet")
        except PermanentError as exc:  # e.g. not shared as Editor: kept pending for the next tick
            log_event(log, 40, "sheet write-back refused", tenant_id=tenant_id, error=str(exc))
    for cid, change in changes:
        record = records.get((change["kind"], change["record_id"]))
        if not change.get("notify"):
            continue
        if record is None:
            done.setdefault(cid, {})["notify"] = False
            continue
        try:
            _notify(tenant, cid, change, record)
            result.notified += 1
            done.setdefault(cid, {})["notify"] = False
        except TransientError as exc:
            log_event(
                log, 30, "commerce notice failed, will retry", tenant_id=tenant_id, change=cid, error=str(exc)
            )
            result.failed.append(cid)
        except PermanentError as exc:
            log_event(log, 40, "commerce notice dropped", tenant_id=tenant_id, change=cid, error=str(exc))
            done.setdefault(cid, {})["notify"] = False
            done[cid]["notify_error"] = str(exc)[:300]
    batch = firestore_client().batch()
    for cid, change in changes:
        update = done.get(cid)
        if not update:
            continue
        sheet = update.get("sheet", change.get("sheet"))
        notify = update.get("notify", change.get("notify"))
        batch.update(col.document(cid), update | {"pending": bool(sheet or notify), "processed_at": utcnow()})
    batch.commit()
    if result.failed:
        raise TransientError(f"commerce follow-ups of {tenant_id}: {len(result.failed)} to retry")
    return result


def sync_catalog(tenant_id: str) -> None:
    """The tenant's Meta Commerce catalog, when it has one (a refusal is logged, not retried)."""
    from shared.commerce.meta_catalog import sync_meta_catalog
    from shared.tenants import get_tenant

    tenant = get_tenant(tenant_id)
    if not tenant.meta_catalog_id:
        return
    try:
        sync_meta_catalog(tenant)
    except PermanentError as exc:
        log_event(log, 40, "meta catalog sync refused", tenant_id=tenant_id, error=str(exc))
