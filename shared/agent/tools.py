"""The agent's tools: a fixed contract, declared once as data, and the runner that executes calls.

The names and JSON-Schema arguments below are an interface (prompts, tests, the audit trail and
the stand-ins rely on them); `shared.providers` renders them to OpenAI's `tools` format and to
google-genai FunctionDeclarations. Every call is validated against its schema before anything
runs; a call that does not validate is the provider's fault (the router falls back).

Results are small JSON objects of what the customer may see: `name`, `price` (formatted for the
customer's locale), `price_minor`, `currency`, `stock`, `available`, `status`, and freshness
(`as_of`, `stale`). Never cost prices, sheet rows, other customers or staff notes.

State-changing tools (`book_slot`, `place_order`) go through the commerce code the offline path
uses, with the idempotency key `<inbound message id>:<tool>:<n>` (the n-th call of that tool
while answering that message), so a redelivered message, or a second provider after a failed
one, gets the first outcome back instead of a second booking or order. The customer is bound
by the runner, never by the model: no tool takes a customer, phone number or order id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from shared.conversation.catalog_index import CatalogItem
from shared.money import format_money
from shared.providers.base import ToolCall, ToolSpec

MAX_RESULTS = 5
MAX_SLOTS = 6
MAX_QUANTITY = 99


def _object(properties: dict[str, dict[str, Any]], required: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


_SKU = {"type": "string", "minLength": 1, "maxLength": 64, "description": "SKU from a tool result"}

TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "search_catalog",
        "Find items or services by the customer's words, with live price and stock.",
        _object(
            {
                "query": {"type": "string", "minLength": 1, "maxLength": 200},
                "max_price_minor": {"type": "integer", "minimum": 0, "description": "in minor units"},
                "category": {"type": "string", "maxLength": 80},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS},
            },
            ["query"],
        ),
    ),
    ToolSpec("get_item", "Live details of one item by SKU.", _object({"sku": _SKU}, ["sku"])),
    ToolSpec(
        "list_free_slots",
        "Free booking slots of a service.",
        _object(
            {
                "sku": _SKU,
                "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"},
            },
            ["sku"],
        ),
    ),
    ToolSpec(
        "book_slot",
        "Book a free slot for this customer, once they chose it.",
        _object({"slot_id": {"type": "string", "minLength": 1, "maxLength": 128}}, ["slot_id"]),
    ),
    ToolSpec(
        "add_to_cart",
        "Add an item to this customer's cart.",
        _object(
            {"sku": _SKU, "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY}},
            ["sku", "quantity"],
        ),
    ),
    ToolSpec("place_order", "Order this customer's cart, after they confirmed it.", _object({})),
    ToolSpec(
        "business_info",
        "The shop's answer on a topic: hours, address, delivery, returns, payment.",
        _object({"topic": {"type": "string", "minLength": 1, "maxLength": 80}}, ["topic"]),
    ),
    ToolSpec(
        "hand_off",
        "Pass the conversation to the shop's staff.",
        _object({"reason": {"type": "string", "maxLength": 200}}, ["reason"]),
    ),
)
TOOL_NAMES = frozenset(t.name for t in TOOLS)
STATE_CHANGING = frozenset({"book_slot", "add_to_cart", "place_order", "hand_off"})
_BY_NAME = {t.name: t for t in TOOLS}


def invalid_call(call: ToolCall) -> str | None:
    """Why `call` breaks the contract (unknown tool, arguments off the schema), or None."""
    spec = _BY_NAME.get(call.name)
    if spec is None:
        return f"unknown tool {call.name!r}"
    if call.arguments is None:
        return f"{call.name}: arguments are not a JSON object"
    return _schema_problem(call.arguments, spec.parameters, call.name)


def _schema_problem(args: dict[str, Any], schema: dict[str, Any], where: str) -> str | None:
    """The subset of JSON Schema the contract uses: object, string, integer, bounds, pattern."""
    properties: dict[str, dict[str, Any]] = schema["properties"]
    for key in schema["required"]:
        if args.get(key) is None:
            return f"{where}: {key} is required"
    for key, value in args.items():
        rule = properties.get(key)
        if rule is None:
            return f"{where}: unexpected argument {key!r}"
        if value is None:
            continue
        if rule["type"] == "integer":
            # JSON has one number type: 2.0 is 2, 2.5 is not an integer.
            if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
                return f"{where}: {key} must be an integer"
            if not rule.get("minimum", value) <= value <= rule.get("maximum", value):
                return f"{where}: {key} is out of range"
        elif rule["type"] == "string":
            if not isinstance(value, str):
                return f"{where}: {key} must be a string"
            if len(value.strip()) < rule.get("minLength", 0) or len(value) > rule.get(
                "maxLength", len(value)
            ):
                return f"{where}: {key} has a bad length"
            if "pattern" in rule and not re.match(rule["pattern"], value):
                return f"{where}: {key} is not in the expected form"
    return None


# -- what the tools run on ------------------------------------------------------------------


@dataclass(frozen=True)
class SlotView:
    slot_id: str
    sku: str
    date: str
    start: str
    free: int


@dataclass(frozen=True)
class BookingResult:
    status: Literal["booked", "full", "past", "unknown_slot", "unavailable"]
    booking_id: str | None = None


@dataclass(frozen=True)
class Shortage:
    sku: str
    wanted: int
    available: int


@dataclass(frozen=True)
class OrderResult:
    placed: bool
    order_id: str | None = None
    total_minor: int | None = None
    currency: str | None = None
    shortages: tuple[Shortage, ...] = ()


class Backend(Protocol):
    """Live data and the commerce actions, for one customer of one tenant (see `backend`)."""

    def search(
        self, query: str, *, max_price_minor: int | None, category: str | None, limit: int
    ) -> list[CatalogItem]: ...

    def items(self, skus: Sequence[str]) -> list[CatalogItem]: ...

    def free_slots(self, sku: str, day: date | None) -> list[SlotView]: ...

    def book(self, slot_id: str, *, idempotency_key: str) -> BookingResult: ...

    def order(self, lines: Sequence[tuple[str, int]], *, idempotency_key: str) -> OrderResult: ...

    def info(self, topic: str) -> tuple[str | None, list[str]]: ...


# -- the runner -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A state-changing call as the audit trail and the worker see it."""

    tool: str
    arguments: dict[str, Any]
    status: str
    reference: str | None = None


@dataclass
class Facts:
    """What the tools told the model this turn: what its reply may state."""

    items: dict[str, CatalogItem] = field(default_factory=dict)
    slot_times: set[str] = field(default_factory=set)
    amounts: set[tuple[int, str]] = field(default_factory=set)


@dataclass
class ToolRunner:
    """Runs validated calls for one answer attempt; keeps the facts, the cart and the actions."""

    backend: Backend
    locale: str
    idempotency_base: str
    cart: list[tuple[str, int]] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    actions: list[Action] = field(default_factory=list)
    handoff_reason: str | None = None
    called: list[str] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter)

    def run(self, call: ToolCall) -> dict[str, Any]:
        """The result of a call that passed `invalid_call`."""
        self.called.append(call.name)
        args = call.arguments or {}
        handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self, f"_{call.name}")
        return handler(args)

    def _key(self, tool: str) -> str:
        n = self._counts[tool]
        self._counts[tool] += 1
        return f"{self.idempotency_base}:{tool}:{n}"

    # -- read-only ----------------------------------------------------------------------
    def _search_catalog(self, args: dict[str, Any]) -> dict[str, Any]:
        limit = int(args.get("limit") or MAX_RESULTS)
        max_price = args.get("max_price_minor")
        found = self.backend.search(
            str(args["query"]),
            max_price_minor=int(max_price) if max_price is not None else None,
            category=args.get("category") or None,
            limit=limit,
        )[:limit]
        return {"items": [self._item(i) for i in found], "count": len(found)}

    def _get_item(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.backend.items([str(args["sku"])])
        return self._item(found[0]) if found else {"status": "unknown_sku", "sku": args["sku"]}

    def _list_free_slots(self, args: dict[str, Any]) -> dict[str, Any]:
        day = date.fromisoformat(args["date"]) if args.get("date") else None
        slots = self.backend.free_slots(str(args["sku"]), day)[:MAX_SLOTS]
        self.facts.slot_times |= {s.start for s in slots}
        return {
            "sku": args["sku"],
            "slots": [
                {"slot_id": s.slot_id, "date": s.date, "start": s.start, "free": s.free} for s in slots
            ],
        }

    def _business_info(self, args: dict[str, Any]) -> dict[str, Any]:
        answer, topics = self.backend.info(str(args["topic"]))
        if answer is None:
            return {"status": "unknown_topic", "topics": topics[:10]}
        return {"topic": args["topic"], "answer": answer}

    # -- state-changing -----------------------------------------------------------------
    def _book_slot(self, args: dict[str, Any]) -> dict[str, Any]:
        outcome = self.backend.book(str(args["slot_id"]), idempotency_key=self._key("book_slot"))
        self.actions.append(Action("book_slot", dict(args), outcome.status, outcome.booking_id))
        result: dict[str, Any] = {"status": outcome.status, "slot_id": args["slot_id"]}
        if outcome.booking_id:
            result["booking_id"] = outcome.booking_id
        return result

    def _add_to_cart(self, args: dict[str, Any]) -> dict[str, Any]:
        sku, quantity = str(args["sku"]), int(args["quantity"])
        found = self.backend.items([sku])
        if not found:
            return {"status": "unknown_sku", "sku": sku}
        item = found[0]
        in_cart = sum(q for s, q in self.cart if s == sku)
        if not item.available or item.price_minor is None:
            status = "unavailable"
        elif item.stock is not None and in_cart + quantity > item.stock:
            status = "not_enough_stock"
        else:
            status = "added"
            self.cart = [(s, q + quantity if s == sku else q) for s, q in self.cart]
            if not in_cart:
                self.cart.append((sku, quantity))
        self.actions.append(Action("add_to_cart", dict(args), status))
        return {"status": status, "item": self._item(item), "cart": self._cart_view()}

    def _place_order(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.cart:
            self.actions.append(Action("place_order", {}, "empty_cart"))
            return {"status": "empty_cart"}
        outcome = self.backend.order(list(self.cart), idempotency_key=self._key("place_order"))
        if not outcome.placed:
            names = {i.sku: i.name for i in self.backend.items([s.sku for s in outcome.shortages])}
            self.actions.append(Action("place_order", {}, "short"))
            return {
                "status": "short",
                "shortages": [
                    {
                        "sku": s.sku,
                        "name": names.get(s.sku, s.sku),
                        "wanted": s.wanted,
                        "available": s.available,
                    }
                    for s in outcome.shortages
                ],
            }
        self.actions.append(Action("place_order", {}, "placed", outcome.order_id))
        result: dict[str, Any] = {"status": "placed", "order_id": outcome.order_id}
        if outcome.total_minor is not None and outcome.currency:
            self.facts.amounts.add((outcome.total_minor, outcome.currency.upper()))
            result |= {"total": format_money(outcome.total_minor, outcome.currency, self.locale)}
        self.cart = []
        return result

    def _hand_off(self, args: dict[str, Any]) -> dict[str, Any]:
        self.handoff_reason = str(args.get("reason") or "")[:200]
        self.actions.append(Action("hand_off", {"reason": self.handoff_reason}, "handed_off"))
        return {"status": "handed_off"}

    # -- views ----------------------------------------------------------------------------
    def _item(self, item: CatalogItem) -> dict[str, Any]:
        """One item as the model may see it; it becomes a fact the reply may state."""
        self.facts.items[item.sku] = item
        view: dict[str, Any] = {"sku": item.sku, "name": item.name}
        if item.price_minor is not None:
            view |= {
                "price": format_money(item.price_minor, item.currency, self.locale),
                "price_minor": item.price_minor,
                "currency": item.currency,
            }
        if item.kind == "service":
            view["bookable"] = item.available
        else:
            view["stock"] = item.stock
        view |= {"available": item.available, "status": item.status}
        if item.category:
            view["category"] = item.category
        if item.updated_at is not None:
            view["as_of"] = item.updated_at.isoformat(timespec="minutes")
        if item.stale:
            view["stale"] = True
        return view

    def _cart_view(self) -> dict[str, Any]:
        items = {i.sku: i for i in self.backend.items([s for s, _ in self.cart])} if self.cart else {}
        lines, total, currency = [], 0, None
        for sku, quantity in self.cart:
            item = items.get(sku)
            if item is None or item.price_minor is None:
                continue
            currency = currency or item.currency
            total += item.price_minor * quantity
            self.facts.items.setdefault(sku, item)
            lines.append({"sku": sku, "name": item.name, "quantity": quantity})
        view: dict[str, Any] = {"lines": lines}
        if currency:
            self.facts.amounts.add((total, currency.upper()))
            view |= {
                "total": format_money(total, currency, self.locale),
                "total_minor": total,
                "currency": currency,
            }
        return view
