"""The dialogue state kept on the conversation document (field `dialogue`).

It is what lets "yes", "2", "the first one", "is it cotton?" be read against what was said:
the conversation's language, the items last discussed (in the order the customer saw them),
the open cart, and the question the bot is waiting on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

PendingKind = Literal["confirm_order", "book_slot", "pick_slot", "notify", "quantity", "which_item", "rating"]
MAX_ITEMS = 10


@dataclass(frozen=True)
class Pending:
    """The question the bot asked and is waiting on."""

    kind: PendingKind
    skus: tuple[str, ...] = ()
    slot_id: str | None = None
    date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "skus": list(self.skus), "slot_id": self.slot_id, "date": self.date}

    @classmethod
    def from_dict(cls, data: Any) -> Pending | None:
        if not isinstance(data, dict) or data.get("kind") not in _KINDS:
            return None
        return cls(
            kind=data["kind"],
            skus=tuple(str(s) for s in data.get("skus") or ()),
            slot_id=data.get("slot_id"),
            date=data.get("date"),
        )


_KINDS = frozenset(PendingKind.__args__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class DialogueState:
    language: str | None = None
    items: tuple[str, ...] = ()  # last discussed, in the order shown
    cart: tuple[CartLine, ...] = ()
    pending: Pending | None = None
    upsold: bool = False
    rated: bool = False
    last_intent: str | None = None
    notify_skus: tuple[str, ...] = field(default=())

    def cart_field(self) -> list[dict[str, Any]]:
        return [{"sku": c.sku, "quantity": c.quantity} for c in self.cart]

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "items": list(self.items[:MAX_ITEMS]),
            "pending": self.pending.to_dict() if self.pending else None,
        }

    @classmethod
    def from_conversation(cls, doc: dict[str, Any]) -> DialogueState:
        """The state from a conversation document (fields written by older versions tolerated)."""
        raw = doc.get("dialogue")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        # The cart is the conversation's `cart` field, shared with the LLM agent's cart tools.
        cart = tuple(
            CartLine(str(c["sku"]), int(c["quantity"]))
            for c in doc.get("cart") or ()
            if isinstance(c, dict)
            and c.get("sku")
            and isinstance(c.get("quantity"), int)
            and c["quantity"] > 0
        )
        pending = Pending.from_dict(data.get("pending"))
        if pending is None and doc.get("offered_notify"):
            pending = Pending("notify", (str(doc["offered_notify"]),))
        return cls(
            language=data.get("language") if isinstance(data.get("language"), str) else None,
            items=tuple(str(s) for s in data.get("items") or ()),
            cart=cart,
            pending=pending,
            upsold=bool(doc.get("upsold")),
            rated=bool(doc.get("rated")),
            last_intent=doc.get("last_intent"),
            notify_skus=tuple(doc.get("notify_skus") or ()),
        )

    def with_items(self, skus: list[str] | tuple[str, ...]) -> DialogueState:
        return replace(self, items=tuple(dict.fromkeys(skus))[:MAX_ITEMS]) if skus else self
