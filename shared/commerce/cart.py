"""A customer's cart, built over turns ("2 hoodies", "one more", "remove the belt"): pure values.

    cart = add(Cart(), "HOOD-1", 2)
    cart = set_quantity(remove(cart, "BELT-3"), "HOOD-1", 3)
    summarise(cart, {"HOOD-1": {"name": "Hoodie", "price_minor": 4500, "currency": "USD"}})

Nothing here reads or writes Firestore: the conversation keeps `cart.document()` in its state and
`shared.commerce.orders.place_order` turns the lines into an order (pricing again from the live
catalog inside its transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_QUANTITY = 999  # per line: more is a typo or a wholesale enquiry for staff
MAX_LINES = 50


class CartError(ValueError):
    """A cart operation that cannot be done (bad quantity, too many lines, mixed currencies)."""


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int

    def __post_init__(self) -> None:
        if not self.sku:
            raise CartError("a cart line needs a SKU")
        if not 1 <= self.quantity <= MAX_QUANTITY:
            raise CartError(f"quantity must be between 1 and {MAX_QUANTITY}, not {self.quantity}")


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...] = ()

    def quantity_of(self, sku: str) -> int:
        return next((line.quantity for line in self.lines if line.sku == sku), 0)

    @property
    def empty(self) -> bool:
        return not self.lines

    def document(self) -> list[dict[str, Any]]:
        """How the cart is stored on the conversation (`[{sku, quantity}]`)."""
        return [{"sku": line.sku, "quantity": line.quantity} for line in self.lines]

    @classmethod
    def from_document(cls, data: Iterable[Mapping[str, Any]] | None) -> Cart:
        """The stored form back; lines that are not valid any more are dropped, not raised."""
        cart = cls()
        for entry in data or []:
            try:
                cart = add(cart, str(entry["sku"]), int(entry["quantity"]))
            except (CartError, KeyError, TypeError, ValueError):
                continue
        return cart


def merge_lines(lines: Iterable[CartLine]) -> list[CartLine]:
    """One line per SKU (quantities added), in first-seen order."""
    cart = Cart()
    for line in lines:
        cart = add(cart, line.sku, line.quantity)
    return list(cart.lines)


def add(cart: Cart, sku: str, quantity: int = 1) -> Cart:
    """`quantity` more of `sku` ("one more" adds 1 to the line already there)."""
    if quantity < 1:
        raise CartError(f"cannot add {quantity} of an item")
    current = cart.quantity_of(sku)
    if not current and len(cart.lines) >= MAX_LINES:
        raise CartError(f"a cart holds at most {MAX_LINES} different items")
    return set_quantity(cart, sku, current + quantity)


def remove(cart: Cart, sku: str) -> Cart:
    """The cart without `sku` (unchanged when it was not there)."""
    return Cart(tuple(line for line in cart.lines if line.sku != sku))


def set_quantity(cart: Cart, sku: str, quantity: int) -> Cart:
    """Exactly `quantity` of `sku`; 0 removes the line. A new SKU goes at the end."""
    if quantity == 0:
        return remove(cart, sku)
    line = CartLine(sku, quantity)
    if cart.quantity_of(sku):
        return Cart(tuple(line if old.sku == sku else old for old in cart.lines))
    return Cart((*cart.lines, line))


@dataclass(frozen=True)
class PricedLine:
    sku: str
    name: str
    quantity: int
    unit_price_minor: int
    currency: str

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity

    def document(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "unit_price_minor": self.unit_price_minor,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class CartSummary:
    lines: tuple[PricedLine, ...]
    total_minor: int
    currency: str
    missing: tuple[str, ...] = field(default=())  # SKUs the catalog does not (or no longer) carry

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def summarise(cart: Cart, items: Mapping[str, Any], *, currency: str | None = None) -> CartSummary:
    """Price every line from `items` (SKU -> catalog document or object with `name`,
    `price_minor`, `currency`). SKUs absent from `items` (or inactive) are listed in `missing`
    and left out of the total. Raises CartError when the items are priced in two currencies."""
    priced: list[PricedLine] = []
    missing: list[str] = []
    for line in cart.lines:
        item = items.get(line.sku)
        if item is None or _field(item, "active") is False or _field(item, "price_minor") is None:
            missing.append(line.sku)
            continue
        item_currency = str(_field(item, "currency") or currency or "").upper()
        if currency is None:
            currency = item_currency
        if item_currency != currency:
            raise CartError(f"{line.sku} is priced in {item_currency}, the cart in {currency}")
        priced.append(
            PricedLine(
                sku=line.sku,
                name=str(_field(item, "name") or line.sku),
                quantity=line.quantity,
                unit_price_minor=int(_field(item, "price_minor")),
                currency=item_currency,
            )
        )
    return CartSummary(
        lines=tuple(priced),
        total_minor=sum(p.total_minor for p in priced),
        currency=currency or "",
        missing=tuple(missing),
    )
