"""The cart as a customer builds it over turns, and its priced summary."""

from __future__ import annotations

import pytest

from shared.commerce.cart import Cart, CartError, CartLine, add, merge_lines, remove, set_quantity, summarise
from shared.commerce.orders import status_move_allowed

ITEMS = {
    "HOOD": {"name": "Hoodie", "price_minor": 4550, "currency": "USD"},
    "BELT": {"name": "Belt", "price_minor": 1999, "currency": "USD"},
    "OLD": {"name": "Old tee", "price_minor": 500, "currency": "USD", "active": False},
}


def test_turns_build_the_cart() -> None:
    cart = add(Cart(), "HOOD", 2)  # "2 hoodies"
    cart = add(cart, "BELT")  # "and a belt"
    cart = add(cart, "HOOD")  # "one more"
    assert cart.document() == [{"sku": "HOOD", "quantity": 3}, {"sku": "BELT", "quantity": 1}]
    cart = remove(cart, "BELT")  # "remove the belt"
    assert [line.sku for line in cart.lines] == ["HOOD"]
    assert set_quantity(cart, "HOOD", 0).empty
    assert Cart.from_document(cart.document()) == cart


def test_bad_quantities_are_refused_and_stored_junk_dropped() -> None:
    with pytest.raises(CartError):
        add(Cart(), "HOOD", 0)
    with pytest.raises(CartError):
        set_quantity(Cart(), "HOOD", 5000)
    assert Cart.from_document(
        [{"sku": "HOOD", "quantity": "x"}, {"sku": "BELT", "quantity": 2}]
    ).document() == [{"sku": "BELT", "quantity": 2}]


def test_summary_prices_lines_and_lists_what_is_gone() -> None:
    cart = add(add(add(Cart(), "HOOD", 2), "BELT"), "OLD")
    summary = summarise(add(cart, "GONE"), ITEMS)
    assert [(p.sku, p.quantity, p.total_minor) for p in summary.lines] == [
        ("HOOD", 2, 9100),
        ("BELT", 1, 1999),
    ]
    assert summary.total_minor == 11099 and summary.currency == "USD" and summary.units == 3
    assert summary.missing == ("OLD", "GONE")


def test_mixed_currencies_are_an_error() -> None:
    items = {**ITEMS, "EU": {"name": "Scarf", "price_minor": 900, "currency": "EUR"}}
    with pytest.raises(CartError):
        summarise(add(add(Cart(), "HOOD"), "EU"), items)


def test_merge_lines_adds_quantities_of_the_same_sku() -> None:
    assert merge_lines([CartLine("A", 1), CartLine("B", 2), CartLine("A", 3)]) == [
        CartLine("A", 4),
        CartLine("B", 2),
    ]


@pytest.mark.parametrize(
    ("current", "new", "ok"),
    [
        ("placed", "confirmed", True),
        ("placed", "paid", True),
        ("paid", "fulfilled", True),
        ("confirmed", "placed", False),
        ("paid", "cancelled", True),
        ("fulfilled", "cancelled", False),
        ("cancelled", "confirmed", False),
        ("placed", "shipped", False),
    ],
)
def test_status_moves(current: str, new: str, ok: bool) -> None:
    assert status_move_allowed(current, new) is ok
