"""A cart sent from WhatsApp's catalog (an inbound `order` message) becomes an order.

    {"type": "order", "order": {"catalog_id": "...", "text": "...", "product_items": [
        {"product_retailer_id": "TEE-1", "quantity": 2, "item_price": 25.0, "currency": "USD"}]}}

The retailer id is our SKU (shared.commerce.meta_catalog syncs it so). The order follows the
same rules as one placed in chat: units reserved in one commit, all or nothing, once per message
id (a redelivery finds the order). It is priced from our catalog, not the cart: when a cart
price differs (the Meta catalog had not caught up with the sheet yet) the order carries a
`staff_note` listing the differences and the customer is told the current prices apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from shared.commerce.cart import CartError, CartLine, merge_lines
from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.money import currency_digits, to_decimal

if TYPE_CHECKING:
    from shared.commerce.orders import OrderOutcome
    from shared.tenants import TenantConfig

log = get_logger(__name__)


@dataclass(frozen=True)
class CartItem:
    sku: str
    quantity: int
    price_minor: int | None  # the cart's unit price, when it sent a readable one
    currency: str | None


def read_cart(raw_order: dict[str, Any] | None) -> tuple[list[CartItem], str | None]:
    """The items and the customer's note of a WhatsApp `order` object; PermanentError when it
    holds no usable item (bad quantities are skipped, not guessed)."""
    items: list[CartItem] = []
    for entry in (raw_order or {}).get("product_items") or []:
        sku = str(entry.get("product_retailer_id") or "").strip()
        try:
            quantity = int(entry.get("quantity") or 0)
        except (TypeError, ValueError):
            continue
        if not sku or quantity < 1:
            continue
        currency = str(entry.get("currency") or "").upper() or None
        price: int | None = None
        if currency and entry.get("item_price") is not None:
            try:
                price = int(Decimal(str(entry["item_price"])).scaleb(currency_digits(currency)))
            except (InvalidOperation, ValueError):
                price = None
        items.append(CartItem(sku, quantity, price, currency))
    if not items:
        raise PermanentError("the WhatsApp cart has no item with a SKU and a quantity")
    note = str((raw_order or {}).get("text") or "").strip() or None
    return items, note


def price_differences(cart: list[CartItem], order_items: list[Any]) -> list[str]:
    """`TEE-1: cart 20.00 USD, ours 25.00 USD` for each line priced differently (for staff)."""
    ours = {i.sku: (i.unit_price_minor, i.currency) for i in order_items}
    notes = []
    for item in cart:
        if item.sku not in ours or item.price_minor is None:
            continue
        price, currency = ours[item.sku]
        if (item.price_minor, item.currency) != (price, currency):
            cart_price = f"{to_decimal(item.price_minor, item.currency or currency)} {item.currency}"
            notes.append(f"{item.sku}: cart {cart_price}, ours {to_decimal(price, currency)} {currency}")
    return notes


def place_cart_order(
    tenant: TenantConfig,
    *,
    wa_id: str,
    customer_key: str,
    profile_name: str | None,
    message_id: str,
    raw_order: dict[str, Any] | None,
    language: str | None,
) -> tuple[OrderOutcome, list[str]]:
    """Place the order for the cart once per `message_id`; returns it and the price notes."""
    from shared.commerce.orders import orders_ref, place_order

    items, note = read_cart(raw_order)
    try:
        lines = merge_lines(CartLine(i.sku, i.quantity) for i in items)
    except CartError as exc:
        raise PermanentError(f"the WhatsApp cart cannot be ordered: {exc}") from exc
    outcome = place_order(
        tenant.tenant_id,
        customer_key=customer_key,
        wa_id=wa_id,
        profile_name=profile_name,
        lines=lines,
        source="whatsapp_cart",
        idempotency_key=message_id,
        note=note,
        language=language,
    )
    differences = price_differences(items, outcome.order.items) if outcome.order else []
    if differences and outcome.placed and not outcome.duplicate:
        orders_ref(tenant.tenant_id).document(outcome.order_id).update(
            {"staff_note": "WhatsApp cart prices differ: " + "; ".join(differences)}
        )
    log_event(
        log,
        20,
        "whatsapp cart",
        tenant_id=tenant.tenant_id,
        order_id=outcome.order_id,
        placed=outcome.placed,
        price_differences=len(differences),
    )
    return outcome, differences


def reply_text(
    tenant: TenantConfig, outcome: OrderOutcome, differences: list[str], *, lang: str, names: dict[str, str]
) -> str:
    """What the customer reads after sending the cart, in their language."""
    from shared.commerce.notices import display_locale, order_text, shortage_text
    from shared.i18n.catalog import message

    if not outcome.placed or outcome.order is None:
        return shortage_text(outcome.shortages, names, lang=lang)
    locale = display_locale(lang, tenant.locale)
    text = order_text(
        "commerce_order_placed",
        outcome.order.model_dump(),
        lang=lang,
        locale=locale,
        shop=tenant.business_name,
    )
    return f"{text}\n{message('commerce_cart_prices_changed', lang)}" if differences else text


def answer_cart(
    tenant: TenantConfig, customer_key: str, message_id: str, inbound: dict[str, Any]
) -> str | None:
    """The worker's hook for an inbound `order` message: place it, answer once, release it from
    the burst. Returns the reply's id (None while staff have the conversation: the order is
    placed and shown to them, nothing is sent)."""
    from google.cloud import firestore

    from shared.commerce.changes import customer_language
    from shared.messaging.store import conversation_ref, reply_id
    from shared.storage import tenant_collection
    from shared.whatsapp.outbound import OutboundMessage
    from shared.whatsapp.send import send_and_store

    conversation = conversation_ref(tenant.tenant_id, customer_key)
    state = conversation.get().to_dict() or {}
    wa_id = str(state.get("wa_id") or customer_key)  # the phone number, for the staff
    lang = customer_language(tenant, {"customer_key": customer_key, "language": state.get("language")})
    outcome, differences = place_cart_order(
        tenant,
        wa_id=wa_id,
        customer_key=customer_key,
        profile_name=inbound.get("profile_name") or state.get("profile_name"),
        message_id=message_id,
        raw_order=(inbound.get("raw") or {}).get("order"),
        language=lang,
    )
    conversation.set({"pending_inbound": firestore.ArrayRemove([message_id])}, merge=True)
    if state.get("handoff"):
        return None
    skus = [s.sku for s in outcome.shortages]
    catalog = tenant_collection(tenant.tenant_id, "catalog")
    names = {
        s.id: str((s.to_dict() or {}).get("name") or s.id)
        for s in (catalog.document(sku).get() for sku in skus)
        if s.exists
    }
    delivery = send_and_store(
        tenant,
        customer_key,
        OutboundMessage(text=reply_text(tenant, outcome, differences, lang=lang, names=names)),
        message_id=reply_id(message_id),
        provider="system",
        in_reply_to=message_id,
        extra={
            "covers": [message_id],
            "intent": "order",
            "order_id": outcome.order_id if outcome.placed else None,
        },
        conversation=state,
    )
    return delivery.message_id
