"""Orders: `tenants/{t}/orders/{order_id}`, placed once per idempotency key, holding their stock.

    outcome = place_order("shop", customer_key=key, wa_id=wa, profile_name="Ana",
                          lines=[CartLine("TEE-1", 2)], source="chat", idempotency_key=inbound_id)
    if not outcome.placed: offer alternatives for outcome.shortages
    set_order_status("shop", outcome.order_id, "confirmed", by="staff:uid")

Placing reserves every line's units in one Firestore transaction that also creates the order:
`availability/{sku}.reserved` grows, `available` (= stock − consumed − reserved) shrinks and
`status` follows it. A line that wants more than is available makes the whole order a shortage
(nothing is held, nothing is written): when customers race for the last units, the transaction
lets exactly one of them have each unit. Cancelling releases the units; fulfilling consumes them.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from shared.catalog.availability import free_units, stock_status
from shared.commerce.cart import CartLine, merge_lines
from shared.commerce.transactions import Attempt, run_atomic
from shared.errors import PermanentError
from shared.log import get_logger, log_event
from shared.privacy import hash_customer
from shared.storage import tenant_collection, utcnow

if TYPE_CHECKING:
    from google.cloud.firestore import DocumentReference

log = get_logger(__name__)

OrderStatus = Literal["placed", "confirmed", "paid", "fulfilled", "cancelled"]
OrderSource = Literal["chat", "whatsapp_cart", "staff"]
FLOW: tuple[OrderStatus, ...] = ("placed", "confirmed", "paid", "fulfilled")
OPEN_STATUSES: tuple[OrderStatus, ...] = ("placed", "confirmed", "paid")
STATUSES: tuple[OrderStatus, ...] = (*FLOW, "cancelled")


class OrderItem(BaseModel):
    sku: str
    name: str
    quantity: int = Field(ge=1)
    unit_price_minor: int = Field(ge=0)
    currency: str


class StatusChange(BaseModel):
    status: OrderStatus
    at: datetime
    by: str


class Order(BaseModel):
    """An order as stored (and as the dashboard shows it)."""

    order_id: str
    status: OrderStatus
    items: list[OrderItem]
    total_minor: int
    currency: str
    customer: str  # hashed: what analytics and logs may see
    customer_key: str
    wa_id: str
    profile_name: str | None = None
    source: OrderSource
    note: str | None = None
    staff_note: str | None = None  # e.g. the WhatsApp cart's prices that differed from ours
    language: str | None = None
    idempotency_key: str
    created_at: datetime
    updated_at: datetime
    history: list[StatusChange] = Field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Shortage:
    """A line that cannot be had: `available` units are free (0 for `reason` other than stock)."""

    sku: str
    wanted: int
    available: int
    reason: Literal["stock", "unavailable", "service"] = "stock"


@dataclass(frozen=True)
class OrderOutcome:
    order_id: str
    placed: bool
    shortages: list[Shortage] = field(default_factory=list)
    total_minor: int = 0
    currency: str = ""
    duplicate: bool = False  # the idempotency key had placed this order already
    order: Order | None = None


class OrderError(PermanentError):
    """A status change that is not allowed, or an unknown order."""


def order_id_for(tenant_id: str, idempotency_key: str, *, length: int = 10) -> str:
    """A short, readable order number derived from the idempotency key (so a retry finds it)."""
    digest = hashlib.sha256(f"{tenant_id}\x00{idempotency_key}".encode()).digest()
    return "O-" + base64.b32encode(digest).decode()[:length]


def status_move_allowed(current: str, new: str) -> bool:
    """Forward along placed → confirmed → paid → fulfilled (steps may be skipped), or to
    cancelled from any open status. Fulfilled and cancelled are final."""
    if current not in OPEN_STATUSES or new not in STATUSES or new == current:
        return False
    return new == "cancelled" or FLOW.index(new) > FLOW.index(current)


def orders_ref(tenant_id: str) -> Any:
    return tenant_collection(tenant_id, "orders")


def _threshold(tenant_id: str) -> int:
    from shared.tenants import get_tenant

    return get_tenant(tenant_id).low_stock_threshold


def stock_fields(avail: dict[str, Any], *, reserved: int, consumed: int, threshold: int) -> dict[str, Any]:
    """`reserved`, `consumed`, `available` and the `status` that follows them."""
    stock = avail.get("stock")
    available = free_units(stock, reserved=reserved, consumed=consumed)
    hint = avail.get("status") if stock is None else None
    status = stock_status(available, threshold=threshold, hint=hint, active=avail.get("active", True))
    return {"reserved": reserved, "consumed": consumed, "available": available, "status": status}


def _shortage(line: CartLine, item: dict[str, Any] | None, avail: dict[str, Any] | None) -> Shortage | None:
    if item is None or avail is None or item.get("active") is False or avail.get("active") is False:
        return Shortage(line.sku, line.quantity, 0, "unavailable")
    if item.get("kind") == "service":
        return Shortage(line.sku, line.quantity, 0, "service")
    available = free_units(
        avail.get("stock"), reserved=int(avail.get("reserved") or 0), consumed=int(avail.get("consumed") or 0)
    )
    if available is None:  # no count in the sheet: only a word (sold out / in stock)
        return Shortage(line.sku, line.quantity, 0, "stock") if avail.get("status") == "out" else None
    return Shortage(line.sku, line.quantity, available, "stock") if line.quantity > available else None


def _existing(snap: Any, key: str) -> OrderOutcome | None:
    if not snap.exists:
        return None
    order = Order.model_validate(snap.to_dict())
    if order.idempotency_key != key:
        return None
    return OrderOutcome(order.order_id, True, [], order.total_minor, order.currency, True, order)


def place_order(
    tenant_id: str,
    *,
    customer_key: str,
    wa_id: str,
    profile_name: str | None,
    lines: list[CartLine],
    source: OrderSource,
    idempotency_key: str,
    note: str | None = None,
    staff_note: str | None = None,
    language: str | None = None,
) -> OrderOutcome:
    """Place the order for `lines` once per `idempotency_key`, reserving its units.

    Returns `placed=True` with the order (also for a repeated key: `duplicate=True`), or
    `placed=False` with the `shortages` (nothing held, nothing written). Prices come from the
    live catalog inside the transaction, never from the caller.
    """
    lines = merge_lines(lines)
    if not lines:
        raise PermanentError("an order needs at least one line")
    from shared.commerce.changes import phone_of

    wa_id = phone_of(tenant_id, customer_key, wa_id)
    # The short id of another key (a 50-bit clash) moves this order to a longer id.
    ids = [order_id_for(tenant_id, idempotency_key), order_id_for(tenant_id, idempotency_key, length=24)]
    catalog = tenant_collection(tenant_id, "catalog")
    availability = tenant_collection(tenant_id, "availability")
    threshold = _threshold(tenant_id)

    def body(tx: Attempt) -> OrderOutcome:
        order_id = ids[0]
        order_ref = orders_ref(tenant_id).document(order_id)
        refs: list[DocumentReference] = [order_ref]
        for line in lines:
            refs += [catalog.document(line.sku), availability.document(line.sku)]
        snaps = {s.reference.path: s for s in tx.get_all(refs)}
        done = _existing(snaps[order_ref.path], idempotency_key)
        if done is not None:
            return done
        if snaps[order_ref.path].exists:
            ids.pop(0)
            return body(tx)
        items: list[OrderItem] = []
        shortages: list[Shortage] = []
        updates: list[tuple[DocumentReference, dict[str, Any]]] = []
        for line in lines:
            item_snap = snaps[catalog.document(line.sku).path]
            avail_snap = snaps[availability.document(line.sku).path]
            item = item_snap.to_dict() if item_snap.exists else None
            avail = avail_snap.to_dict() if avail_snap.exists else None
            short = _shortage(line, item, avail)
            if short is not None:
                shortages.append(short)
                continue
            assert item is not None and avail is not None
            items.append(
                OrderItem(
                    sku=line.sku,
                    name=str(item.get("name") or line.sku),
                    quantity=line.quantity,
                    unit_price_minor=int(item.get("price_minor") or 0),
                    currency=str(item.get("currency") or ""),
                )
            )
            reserved = int(avail.get("reserved") or 0) + line.quantity
            fields = stock_fields(
                avail, reserved=reserved, consumed=int(avail.get("consumed") or 0), threshold=threshold
            )
            updates.append((avail_snap.reference, fields))
        currencies = {i.currency for i in items}
        total = sum(i.unit_price_minor * i.quantity for i in items)
        currency = items[0].currency if items else ""
        if shortages:
            return OrderOutcome(order_id, False, shortages, total, currency)
        if len(currencies) > 1:
            raise PermanentError(f"order mixes currencies: {sorted(currencies)}")
        now = utcnow()
        order = Order(
            order_id=order_id,
            status="placed",
            items=items,
            total_minor=total,
            currency=currency,
            customer=hash_customer(tenant_id, customer_key),
            customer_key=customer_key,
            wa_id=wa_id,
            profile_name=profile_name,
            source=source,
            note=note,
            staff_note=staff_note,
            language=language,
            idempotency_key=idempotency_key,
            created_at=now,
            updated_at=now,
            history=[StatusChange(status="placed", at=now, by=source)],
        )
        tx.create(order_ref, order.model_dump())
        for ref, data in updates:
            tx.update(ref, data | {"updated_at": now})
        _log_change(tx, tenant_id, order, "placed", now, source)
        return OrderOutcome(order_id, True, [], total, currency, False, order)

    outcome = run_atomic(body, what=f"order {ids[0]}")
    order_id = outcome.order_id
    log_event(
        log,
        20,
        "order placed" if outcome.placed else "order short",
        tenant_id=tenant_id,
        order_id=order_id,
        customer=hash_customer(tenant_id, customer_key),
        duplicate=outcome.duplicate,
        shortages=[s.sku for s in outcome.shortages],
    )
    if outcome.placed and not outcome.duplicate:
        _after_change(tenant_id, customer_key)
    return outcome


def set_order_status(tenant_id: str, order_id: str, status: str, *, by: str) -> Order:
    """Move the order to `status` (see `status_move_allowed`); cancelling releases its units,
    fulfilling consumes them. Setting the status it already has changes nothing (a redelivered
    request). Raises OrderError for an unknown order or a move that is not allowed."""
    if status not in STATUSES:
        raise OrderError(f"unknown order status {status!r} (use one of {', '.join(STATUSES)})")
    order_ref = orders_ref(tenant_id).document(order_id)
    availability = tenant_collection(tenant_id, "availability")
    threshold = _threshold(tenant_id)

    def body(tx: Attempt) -> tuple[Order, bool]:
        snap = tx.get(order_ref)
        if not snap.exists:
            raise OrderError(f"unknown order {order_id!r}")
        order = Order.model_validate(snap.to_dict())
        if order.status == status:
            return order, False
        if not status_move_allowed(order.status, status):
            raise OrderError(f"order {order_id} is {order.status}: it cannot become {status}")
        now = utcnow()
        writes: list[tuple[DocumentReference, dict[str, Any]]] = []
        if status in ("cancelled", "fulfilled"):
            refs = [availability.document(sku) for sku in {i.sku for i in order.items}]
            avail = {s.id: s for s in tx.get_all(refs)}
            for item in order.items:
                a = avail.get(item.sku)
                if a is None or not a.exists:
                    continue  # the row left the sheet: nothing is held any more
                data = a.to_dict() or {}
                reserved = max(int(data.get("reserved") or 0) - item.quantity, 0)
                consumed = int(data.get("consumed") or 0) + (item.quantity if status == "fulfilled" else 0)
                fields = stock_fields(data, reserved=reserved, consumed=consumed, threshold=threshold)
                data.update(fields)  # two lines of one SKU add up
                writes.append((a.reference, fields | {"updated_at": now}))
        history = [*order.history, StatusChange(status=status, at=now, by=by)]
        order = order.model_copy(update={"status": status, "updated_at": now, "history": history})
        tx.update(
            order_ref, {"status": status, "updated_at": now, "history": [h.model_dump() for h in history]}
        )
        for ref, data in writes:
            tx.update(ref, data)
        _log_change(tx, tenant_id, order, status, now, by)
        return order, True

    order, changed = run_atomic(body, what=f"order {order_id} -> {status}")
    if changed:
        log_event(log, 20, "order status changed", tenant_id=tenant_id, order_id=order_id, status=status)
        _after_change(tenant_id, order.customer_key)
    return order


def get_order(tenant_id: str, order_id: str) -> Order | None:
    snap = orders_ref(tenant_id).document(order_id).get()
    return Order.model_validate(snap.to_dict()) if snap.exists else None


def orders_for(tenant_id: str, customer_key: str, open_only: bool = True) -> list[Order]:
    """The customer's orders, newest first (open ones only by default)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = orders_ref(tenant_id).where(filter=FieldFilter("customer_key", "==", customer_key))
    orders = [Order.model_validate(s.to_dict()) for s in query.stream()]
    if open_only:
        orders = [o for o in orders if o.open]
    return sorted(orders, key=lambda o: o.created_at, reverse=True)


def _log_change(tx: Attempt, tenant_id: str, order: Order, status: str, now: datetime, by: str) -> None:
    """Record the change for the sheet write-back and the customer notice, in the same
    transaction (so neither is lost nor doubled; see shared.commerce.changes)."""
    from shared.commerce.changes import record_change

    record_change(tx, tenant_id, kind="order", record_id=order.order_id, status=status, at=now, by=by)


def _after_change(tenant_id: str, customer_key: str) -> None:
    from shared.commerce.changes import announce, mark_conversation

    announce(tenant_id)
    mark_conversation(tenant_id, customer_key)
