"""Back-in-stock notices: when the sheet shows stock again, tell the customers who asked.

Customers ask through the "Notify me" button (the SKU lands in their conversation's
`notify_skus`). The notice is the declared `back_in_stock` template's text in the customer's
language: inside the 24-hour window as free text, outside it as the template itself. Each notice
is keyed by SKU and poll, so a redelivered `catalog-changes` event sends nothing twice.
"""

from __future__ import annotations

from shared.errors import PermanentError, TransientError
from shared.events import CatalogChange
from shared.log import get_logger, log_event
from shared.privacy import hash_customer
from shared.storage import tenant_collection

log = get_logger(__name__)
BACK = ("in_stock", "low")


def notify_back_in_stock(change: CatalogChange) -> int:
    """Send the notices `change` calls for; returns how many were sent."""
    from google.cloud import firestore
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.conversation.retrieval import item_from_doc
    from shared.i18n.catalog import language_of, money, reply_locale
    from shared.tenants import get_tenant
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store
    from shared.whatsapp.templates import BACK_IN_STOCK, TemplateUse, render

    back = [s.sku for s in change.status_changes if s.new in BACK and s.old not in BACK]
    if not back:
        return 0
    tenant = get_tenant(change.tenant_id)
    sent = 0
    failed = False
    for sku in back:
        snap = tenant_collection(tenant.tenant_id, "catalog").document(sku).get()
        item = item_from_doc(snap.to_dict() or {}) if snap.exists else None
        if item is None or not item.available:
            continue
        waiting = (
            tenant_collection(tenant.tenant_id, "conversations")
            .where(filter=FieldFilter("notify_skus", "array_contains", sku))
            .stream()
        )
        for conversation in waiting:
            lang = str((conversation.to_dict() or {}).get("language") or language_of(tenant.locale))
            locale = reply_locale(lang, tenant.locale)
            price = (
                f" ({money(item.price_minor, item.currency, locale)})" if item.price_minor is not None else ""
            )
            use = TemplateUse.of(BACK_IN_STOCK, shop=tenant.business_name, item=f"{item.name}{price}")
            notice = render(use, lang, shop_language=tenant.locale, approved=tenant.template_languages)
            try:
                delivery = send_and_store(
                    tenant,
                    conversation.id,
                    OutboundMessage(text=notice.text),
                    message_id=f"restock-{sku}-{change.poll_id}",
                    provider="offline",
                    fallback=use,
                    extra={"intent": "back_in_stock", "sku": sku},
                    proactive=True,
                )
            except TransientError:
                failed = True  # the others still go out; the event is retried for this one
                continue
            except PermanentError as exc:
                # This customer cannot be reached (invalid number, template refused): say so and
                # go on with the others; the request is dropped rather than retried forever.
                log_event(
                    log,
                    40,
                    "back-in-stock notice refused",
                    tenant_id=tenant.tenant_id,
                    customer=hash_customer(tenant.tenant_id, conversation.id),
                    sku=sku,
                    error=str(exc),
                )
                conversation.reference.update({"notify_skus": firestore.ArrayRemove([sku])})
                continue
            conversation.reference.update({"notify_skus": firestore.ArrayRemove([sku])})
            sent += 0 if delivery.duplicate else 1
    log_event(log, 20, "back-in-stock notices", tenant_id=tenant.tenant_id, skus=back, sent=sent)
    if failed:
        raise TransientError("some back-in-stock notices could not be sent yet")
    return sent
