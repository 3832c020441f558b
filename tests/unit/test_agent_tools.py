"""The agent's pure parts: the tool contract and its validation, what a tool result shows, the
cart's stock rule, idempotency keys, the token budget of a request and the customer's locale."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from shared.agent.loop import customer_locale
from shared.agent.prompt import MAX_REQUEST_TOKENS, Brief, fit, opening_turns, system_prompt
from shared.agent.tokens import count_request
from shared.agent.tools import (
    TOOLS,
    BookingResult,
    OrderResult,
    SlotView,
    ToolRunner,
    invalid_call,
)
from shared.conversation.catalog_index import CatalogItem
from shared.providers.base import ToolCall, Turn
from shared.providers.gemini import gemini_tools
from shared.providers.openai_compat import openai_tools

CONTRACT = [
    "search_catalog",
    "get_item",
    "list_free_slots",
    "book_slot",
    "add_to_cart",
    "place_order",
    "business_info",
    "hand_off",
]


def call(name: str, args: dict | str | None) -> ToolCall:
    return ToolCall.parse("c1", name, args)


def test_the_contract_is_rendered_for_both_sdks() -> None:
    assert [t.name for t in TOOLS] == CONTRACT
    rendered = openai_tools(TOOLS)
    assert [t["function"]["name"] for t in rendered] == CONTRACT
    assert rendered[0]["function"]["parameters"]["required"] == ["query"]
    [tool] = gemini_tools(TOOLS)
    declarations = tool.function_declarations or []
    assert [d.name for d in declarations] == CONTRACT
    assert declarations[4].parameters_json_schema["properties"]["quantity"]["maximum"] == 99
    # No tool lets the model name a customer: identity is bound by the runner.
    for spec in TOOLS:
        assert not {"customer", "wa_id", "phone", "customer_key"} & set(spec.parameters["properties"])


@pytest.mark.parametrize(
    ("name", "args", "problem"),
    [
        ("drop_table", {}, "unknown tool"),
        ("get_item", '{"sku": ', "not a JSON object"),
        ("get_item", "[1, 2]", "not a JSON object"),
        ("get_item", {}, "sku is required"),
        ("get_item", {"sku": "A", "cost": 1}, "unexpected argument"),
        ("add_to_cart", {"sku": "A", "quantity": "two"}, "must be an integer"),
        ("add_to_cart", {"sku": "A", "quantity": 2.5}, "must be an integer"),
        ("add_to_cart", {"sku": "A", "quantity": 0}, "out of range"),
        ("add_to_cart", {"sku": "A", "quantity": True}, "must be an integer"),
        ("search_catalog", {"query": "  "}, "bad length"),
        ("list_free_slots", {"sku": "S", "date": "next friday"}, "expected form"),
        ("list_free_slots", {"sku": "S", "date": "2026-13-45"}, "not a date"),
        ("search_catalog", {"query": "x", "limit": float("inf")}, "must be an integer"),
        ("search_catalog", {"query": "x", "limit": float("nan")}, "must be an integer"),
        ("place_order", {"customer": "15550100000"}, "unexpected argument"),
    ],
)
def test_calls_off_the_contract_are_refused(name: str, args: dict | str, problem: str) -> None:
    found = invalid_call(call(name, args))
    assert found is not None and problem in found


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("search_catalog", {"query": "dress", "max_price_minor": 10000, "limit": 3}),
        ("search_catalog", {"query": "dress", "category": None}),
        ("add_to_cart", {"sku": "A", "quantity": 2.0}),
        ("list_free_slots", {"sku": "S", "date": "2026-12-05"}),
        ("place_order", {}),
        ("place_order", ""),
    ],
)
def test_calls_on_the_contract_pass(name: str, args: dict | str) -> None:
    assert invalid_call(call(name, args)) is None


JACKET = CatalogItem("JKT-001", "Denim Jacket", "Jackets", 8900, "USD", 3, "low")


class Shelf:
    """A Backend over a list of items (the pure runner needs nothing more)."""

    def __init__(self, items: Sequence[CatalogItem]) -> None:
        self.by_sku = {i.sku: i for i in items}
        self.keys: list[str] = []

    def search(self, query: str, *, max_price_minor: int | None, category: str | None, limit: int):
        return list(self.by_sku.values())[:limit]

    def items(self, skus: Sequence[str]) -> list[CatalogItem]:
        return [self.by_sku[s] for s in skus if s in self.by_sku]

    def free_slots(self, sku: str, day: date | None) -> list[SlotView]:
        return [SlotView("S__1", sku, "2026-12-05", "10:00", 1)]

    def book(self, slot_id: str, *, idempotency_key: str) -> BookingResult:
        self.keys.append(idempotency_key)
        return BookingResult("booked", f"b-{idempotency_key}")

    def order(self, lines: Sequence[tuple[str, int]], *, idempotency_key: str) -> OrderResult:
        self.keys.append(idempotency_key)
        total = sum(self.by_sku[s].price_minor or 0 for s, _ in lines for _ in range(dict(lines)[s]))
        return OrderResult(True, "o-1", total, "USD")

    def info(self, topic: str) -> tuple[str | None, list[str]]:
        return None, ["hours"]


def test_a_tool_result_shows_live_facts_in_the_customers_locale() -> None:
    runner = ToolRunner(Shelf([JACKET]), "pt_BR", "wamid.1")
    shown = runner.run(call("get_item", {"sku": "JKT-001"}))
    expected = {"name": "Denim Jacket", "price": "US$\xa089,00", "price_minor": 8900, "currency": "USD"}
    expected |= {"stock": 3, "available": True, "status": "low"}
    assert {k: shown.get(k) for k in expected} == expected
    assert runner.facts.items == {"JKT-001": JACKET}


def test_the_cart_never_holds_more_than_the_stock() -> None:
    runner = ToolRunner(Shelf([JACKET]), "en_US", "wamid.1")
    assert runner.run(call("add_to_cart", {"sku": "JKT-001", "quantity": 2}))["status"] == "added"
    refused = runner.run(call("add_to_cart", {"sku": "JKT-001", "quantity": 2}))
    assert refused["status"] == "not_enough_stock" and refused["cart"]["lines"][0]["quantity"] == 2
    assert refused["cart"]["total"] == "$178.00"
    assert (17800, "USD") in runner.facts.amounts  # a total the reply may state


def test_state_changes_are_keyed_by_the_message_and_the_call() -> None:
    shelf = Shelf([JACKET])
    runner = ToolRunner(shelf, "en_US", "wamid.7", cart=[("JKT-001", 1)])
    runner.run(call("book_slot", {"slot_id": "S__1"}))
    runner.run(call("book_slot", {"slot_id": "S__2"}))
    placed = runner.run(call("place_order", {}))
    # The first of each is the offline path's key (the message id): the paths cannot both act.
    assert shelf.keys == ["wamid.7", "wamid.7:book_slot:1", "wamid.7"]
    assert placed == {"status": "placed", "order_id": "o-1", "total": "$89.00"}
    assert runner.cart == [] and runner.run(call("place_order", {})) == {"status": "empty_cart"}
    assert [a.status for a in runner.actions] == ["booked", "booked", "placed", "empty_cart"]


def test_a_request_stays_within_the_token_budget_whatever_the_catalog() -> None:
    """Ten thousand long-named items: search results are capped, old turns go first, the
    customer's message and this answer's tool results stay."""
    catalog = [
        CatalogItem(
            f"SKU-{n:05d}",
            f"Handmade Organic Cotton Embroidered Summer Dress Model {n} Deluxe",
            "Dresses",
            1000 + n,
            "USD",
            n % 50,
            "in_stock",
        )
        for n in range(10_000)
    ]
    runner = ToolRunner(Shelf(catalog), "en_US", "wamid.1")
    brief = Brief(
        "A Shop With A Long Name", "en_US", date(2026, 12, 1), focus=tuple(catalog[:8]), intent="browse"
    )
    history = opening_turns([("in", "x" * 1000), ("out", "y" * 1000)] * 5, "any summer dresses under $50?")
    steps: list[Turn] = []
    for n in range(3):
        found = ToolCall.parse(f"c{n}", "search_catalog", {"query": f"dress {n}"})
        result = runner.run(found)
        steps += [
            Turn("assistant", tool_calls=(found,)),
            Turn("tool", tool_call_id=f"c{n}", name="search_catalog", result=result),
        ]
    request, size = fit(system_prompt(brief), history, steps, TOOLS)
    assert request is not None and size == count_request(request) <= MAX_REQUEST_TOKENS
    assert request.turns[-1 - len(steps)].text == "<customer>any summer dresses under $50?</customer>"
    assert all(len(t.result["items"]) <= 5 for t in request.turns if t.result)


def test_a_request_that_cannot_fit_is_not_sent() -> None:
    request, size = fit("be brief", opening_turns([], "word " * 3000), [], TOOLS)
    assert request is None and size > MAX_REQUEST_TOKENS


@pytest.mark.parametrize(
    ("tenant", "language", "expected"),
    [("en-US", None, "en_US"), ("en-US", "es", "es_US"), ("pt-BR", "pt", "pt_BR"), ("en-US", "id", "id")],
)
def test_prices_follow_the_customers_language_in_the_shops_country(tenant, language, expected) -> None:
    assert customer_locale(tenant, language) == expected


def test_confirmations_exist_in_every_language_with_the_same_placeholders() -> None:
    import string

    from shared.i18n.catalog import LANGUAGES, messages

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    english = {k: v for k, v in messages("en").items() if k.startswith("agent.")}
    assert english
    for lang in LANGUAGES:
        theirs = messages(lang)
        assert {k: fields(theirs[k]) for k in english} == {k: fields(v) for k, v in english.items()}, lang


def test_actions_taken_are_confirmed_when_the_models_words_are_not_sent() -> None:
    from shared.agent.loop import AgentReply, confirmations
    from shared.agent.tools import Action

    slot = {"what": "Haircut", "date": "2026-12-05", "time": "10:00"}
    booked = Action("book_slot", {"slot_id": "S__1"}, "booked", "bk-1", slot)
    placed = Action("place_order", {}, "placed", "o-9", {"total": "89,00\xa0€"})
    refused = Action("book_slot", {"slot_id": "S__2"}, "full")
    text = confirmations(AgentReply(None, "ungrounded: …", "es", actions=(booked, placed, refused)))
    assert text.splitlines() == [
        "Tu reserva está confirmada: Haircut el 2026-12-05 a las 10:00 (ref. bk-1).",
        "Tu pedido está hecho: 89,00\xa0€ (ref. o-9). Te confirmaremos aquí el pago y la entrega.",
    ]
    assert confirmations(AgentReply(None, "no_provider_answered", "en", actions=(refused,))) == ""


def test_a_cart_commerce_would_refuse_is_never_built_or_placed() -> None:
    euro = CatalogItem("EU-1", "Scarf", "Scarves", 2500, "EUR", 9, "in_stock")
    shelf = Shelf([JACKET, euro])
    runner = ToolRunner(shelf, "en_US", "wamid.3")
    assert runner.run(call("add_to_cart", {"sku": "JKT-001", "quantity": 1}))["status"] == "added"
    assert runner.run(call("add_to_cart", {"sku": "EU-1", "quantity": 1}))["status"] == "cart_cannot_take_it"
    assert runner.cart == [("JKT-001", 1)]
    shelf.order = lambda lines, *, idempotency_key: OrderResult(False, refused="mixed currencies")  # type: ignore[method-assign]
    assert runner.run(call("place_order", {})) == {"status": "refused"}
    assert runner.cart == [("JKT-001", 1)]  # kept: nothing was ordered


def test_a_message_too_long_for_any_request_calls_no_provider() -> None:
    from shared.agent.loop import AgentTurn, run_agent
    from shared.tenants import TenantConfig

    class Untouchable:
        name, model = "openai", "gpt-4o-mini"

        def complete(self, request):  # pragma: no cover - must not be reached
            raise AssertionError("no request may be sent")

    tenant = TenantConfig(tenant_id="t", phone_number_id="1", source="file:/dev/null")
    turn = AgentTurn(text="word " * 3000, intent="unknown")
    reply = run_agent(
        tenant, {"openai": Untouchable()}, turn, inbound_id="m", backend=Shelf([]), today=date.today()
    )
    assert reply is not None and (reply.text, reply.reason) == (None, "request_over_budget")
