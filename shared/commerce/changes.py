"""Follow-ups of order and booking changes: tell the customer, write the change to the sheet.

Every change (placed, confirmed, paid, fulfilled, cancelled; booked, cancelled, attended,
no_show) is recorded as `commerce_changes/{kind}.{id}.{status}` in the same transaction as the
change itself, with what it still needs: `notify` (a WhatsApp notice, when staff made the change)
and `sheet` (a row in the sheet's Orders/Bookings tab). `process_pending` does what is pending
and clears the flags: the notice is sent once (its outbound id is the change id), the sheet rows
are appended in one batch and skipped when the tab already has the change's key. So a change is
never lost (it is in Firestore before anyone is told) and never doubled (whatever redelivers).
`announce` asks for a run at once (`commerce-changes`); the commerce tick catches any missed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.commerce.notices import BOOKING_NOTICES, ORDER_NOTICES, booking_text, display_locale, order_text
from shared.errors import PermanentError, TransientError
from shared.events import TOPIC_COMMERCE_CHANGES, CommerceChange
from shared.log import get_logger, log_event
from shared.storage import tenant_collection, utcnow

if TYPE_CHECKING:
    from shared.commerce.transactions import Attempt
    from shared.tenants import TenantConfig

log = get_logger(__name__)
COLLECTION = "commerce_changes"
BATCH = 200


def needs_notice(kind: str, status: str, by: str) -> bool:
    """Staff-made changes are told to the customer; the customer's own (placing, booking,
    cancelling in chat) are answered by the conversation itself."""
    notices = ORDER_NOTICES if kind == "order" else BOOKING_NOTICES
    return status in notices and by.startswith("staff")


def record_change(
    tx: Attempt, tenant_id: str, *, kind: str, record_id: str, status: str, at: datetime, by: str
) -> None:
    notify = needs_notice(kind, status, by)
    tx.set(
        tenant_collection(tenant_id, COLLECTION).document(f"{kind}.{record_id}.{status}"),
        {
            "kind": kind,
            "record_id": record_id,
            "status": status,
            "at": at,
            "by": by,
            "notify": notify,
            "sheet": True,
            "pending": True,
        },
    )


def announce(tenant_id: str) -> None:
    """Ask for the follow-ups now; a failed publish is only logged (the tick runs them)."""
    from shared.pubsub import publish

    try:
        publish(TOPIC_COMMERCE_CHANGES, CommerceChange(tenant_id=tenant_id))
    except Exception as exc:  # any publish failure: the next commerce tick picks the changes up
        log_event(log, 30, "commerce-changes publish failed", tenant_id=tenant_id, error=str(exc))


@dataclass
class FollowUp:
    notified: int = 0
    rows_written: int = 0
    failed: list[str] = field(default_factory=list)


def customer_language(tenant: TenantConfig, record: dict[str, Any]) -> str:
    """The record's language, else the conversation's, else the shop's."""
    from shared.i18n.catalog import language_of
    from shared.messaging.store import conversation_ref

    if record.get("language"):
        return language_of(record["language"])
    conversation = conversation_ref(tenant.tenant_id, record["wa_id"]).get().to_dict() or {}
    return language_of(conversation.get("language") or tenant.locale)


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
        record["wa_id"],
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
