"""The reply pipeline (understand -> decide -> word) as a customer meets it: follow-ups, several
items at once, budgets, attributes quoted from the sheet, bookings on the day asked, the Info
tab, orders over turns, one upsell, and every language. Catalog, state and clock are injected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.conversation.facts import InfoEntry, Slot
from shared.conversation.grounding import check_reply
from shared.conversation.pipeline import Reply, Shop, respond
from shared.conversation.retrieval import CatalogItem, build_index
from shared.conversation.state import DialogueState

ITEMS = [
    CatalogItem("HD-1", "Grey Hoodie", "Tops", 4500, "USD", 12, "in_stock",
                description="Soft 100% cotton fleece. Sizes S, M, L. Comes in grey and navy.",
                tags=("sweatshirt",)),
    CatalogItem("BN-1", "Wool Beanie", "Accessories", 1800, "USD", 3, "low",
                description="Merino wool, one size."),
    CatalogItem("JK-1", "Leather Jacket", "Jackets", 19900, "USD", 2, "low",
                description="Genuine black leather biker jacket."),
    CatalogItem("JK-2", "Denim Jacket", "Jackets", 8900, "USD", 0, "out", restock_date="2026-12-15"),
    CatalogItem("DR-1", "Floral Dress", "Dresses", 7900, "USD", 5, "in_stock"),
    CatalogItem("DR-2", "Silk Evening Dress", "Dresses", 12000, "USD", 4, "in_stock"),
    CatalogItem("DR-3", "Linen Summer Dress", "Dresses", 6500, "USD", 9, "in_stock"),
    CatalogItem("SV-1", "Alterations", "Services", 2500, "USD", None, "in_stock", kind="service"),
]  # fmt: skip
NOW = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # a Thursday
SLOTS = [
    Slot("SV-1__2026-12-05T1100", "SV-1", "2026-12-05", "11:00", 1),
    Slot("SV-1__2026-12-09T1000", "SV-1", "2026-12-09", "10:00", 1),
    Slot("SV-1__2026-12-09T1400", "SV-1", "2026-12-09", "14:00", 2),
]
INFO = [
    InfoEntry("hours", "Opening hours", "Mon–Sat 9:00–18:00, closed Sunday."),
    InfoEntry("delivery", "Delivery", "We deliver in Brooklyn and Manhattan for $5."),
]
SHOP = Shop("Maple & Thread", "en-US", "USD")
INDEX = build_index("t", ITEMS)


def chat(*texts: str, shop: Shop = SHOP) -> list[Reply]:
    """Each message answered in turn, the dialogue state carried over; every reply grounded."""
    state, replies = DialogueState(), []
    for text in texts:
        reply = respond(text, state, INDEX, NOW, shop=shop, slots=SLOTS, info=INFO)
        plan = reply.plan
        quoted = [INDEX.items[s] for s in plan.quoted]
        quotes = [str(v) for line in plan.lines for k, v in line.params.items() if k in ("answer", "quote")]
        check = check_reply(
            reply.message.text, quoted, slot_times=plan.slot_times, amounts=plan.amounts, quotes=quotes
        )
        assert check.grounded, (text, reply.message.text, check.problems)
        assert not any(item.sku in reply.message.text for item in ITEMS), "customers read names, not SKUs"
        replies.append(reply)
        state = plan.state
    return replies


def test_a_follow_up_order_and_its_confirmation() -> None:
    price, take, yes = chat("how much is the hoodie?", "ok I'll take 2", "yes")
    assert "Grey Hoodie — $45.00" in price.message.text
    assert take.understanding.intent == "order" and take.understanding.quantity == 2
    assert "Total: $90.00" in take.message.text and take.message.buttons[0].id == "order:place"
    assert yes.plan.conversion == "order" and yes.plan.order_lines[0].quantity == 2
    assert "$90.00" in yes.message.text


def test_a_thumbs_up_answers_the_order_question_with_yes() -> None:
    *_, thumbs = chat("how much is the hoodie?", "ok I'll take 2", "👍")
    assert thumbs.understanding.intent == "confirm" and thumbs.plan.conversion == "order"


def test_chat_shorthand_for_never_mind_declines_the_order() -> None:
    *_, nvm = chat("how much is the hoodie?", "ok I'll take 2", "ok nvm too much lol")
    assert nvm.understanding.intent == "deny" and nvm.plan.conversion != "order"


def test_asking_for_a_discount_on_a_quantity_is_a_price_question_not_an_order() -> None:
    (reply,) = chat("any discount if i buy 3 hoodies?")
    assert reply.understanding.intent == "product" and reply.understanding.attribute == "price"
    assert reply.plan.order_lines == ()


def test_a_number_of_a_named_item_with_its_colour_is_an_order() -> None:
    (reply,) = chat("2 grey hoodies, colour navy")
    assert reply.understanding.intent == "order" and reply.understanding.quantity == 2
    assert reply.plan.state.cart[0].sku == "HD-1" and reply.plan.state.cart[0].quantity == 2


def test_several_items_each_with_its_own_number() -> None:
    (reply,) = chat("I'll take 2 grey hoodies and a wool beanie")
    assert [(c.sku, c.quantity) for c in reply.plan.state.cart] == [("HD-1", 2), ("BN-1", 1)]
    assert "Total: $108.00" in reply.message.text


def test_a_lone_yes_word_that_also_names_a_shop_topic_answers_the_pending_question() -> None:
    # "fechado" is "deal" and "closed": to "shall I place the order?" it is the answer, not the hours
    _, deal = chat("quero 2 moletons cinza", "fechado", shop=Shop("Loja", "pt-BR", "USD"))
    assert deal.understanding.intent == "confirm" and deal.plan.conversion == "order"


def test_the_cart_button_pressed_after_another_question_places_the_order() -> None:
    state = DialogueState()
    for text in ("how much is the hoodie?", "ok I'll take 2", "can I get alterations on wednesday at 10?"):
        state = respond(text, state, INDEX, NOW, shop=SHOP, slots=SLOTS, info=INFO).plan.state
    assert state.pending is not None and state.pending.kind == "book_slot"
    pressed = respond(
        "Place order", state, INDEX, NOW, shop=SHOP, slots=SLOTS, info=INFO, payload="order:place"
    )
    assert pressed.plan.conversion == "order" and pressed.plan.order_lines[0].quantity == 2
    assert pressed.plan.booking_slot is None  # the pending booking question is not what was pressed


def test_attribute_questions_quote_the_description() -> None:
    _, cotton, black = chat("how much is the hoodie?", "is it 100% cotton?", "does it come in black?")
    assert cotton.message.text.startswith("Yes") and "“Soft 100% cotton fleece.”" in cotton.message.text
    assert "I don't see black" in black.message.text and "“Comes in grey and navy.”" in black.message.text


def test_an_attribute_the_sheet_does_not_state_is_asked_of_the_team() -> None:
    _, reply = chat("how much is the floral dress", "what is it made of?")
    assert reply.plan.needs_staff and "check with the team" in reply.message.text


def test_several_items_at_once() -> None:
    (reply,) = chat("how much are the hoodie and the beanie?")
    assert reply.understanding.items == ("HD-1", "BN-1")
    assert "$45.00" in reply.message.text and "$18.00" in reply.message.text


def test_two_items_asked_for_by_name_in_casual_words_is_their_availability() -> None:
    (reply,) = chat("yo do u guys have the leather jacket and the denim one")
    assert reply.understanding.intent == "availability"
    assert set(reply.understanding.items) == {"JK-1", "JK-2"}


def test_an_elided_french_pronoun_names_no_item() -> None:
    # "j'en" is one letter from "jean": the item taken is the one just discussed
    jeans = build_index(
        "fr",
        [
            CatalogItem("JN-1", "Jean droit", "Pantalons", 6900, "EUR", 5, "in_stock"),
            CatalogItem("CH-1", "Chino beige", "Pantalons", 5900, "EUR", 5, "in_stock"),
        ],
    )
    state = DialogueState()
    for text in ("combien le chino ?", "ok j'en prends un"):
        reply = respond(text, state, jeans, NOW, shop=Shop("Atelier", "fr-FR", "EUR"))
        state = reply.plan.state
    assert reply.understanding.intent == "order" and reply.understanding.items == ("CH-1",)


def test_an_attribute_word_that_names_a_service_finds_it() -> None:
    # "couleur" asks about a colour in a clothes shop; at a hairdresser it is a service
    salon = build_index(
        "fr",
        [
            CatalogItem("CO-1", "Couleur", "Prestations", 6200, "EUR", None, "in_stock", kind="service"),
            CatalogItem("CO-2", "Brushing", "Prestations", 3200, "EUR", None, "in_stock", kind="service"),
        ],
    )
    reply = respond(
        "c'est combien une couleur ?", DialogueState(), salon, NOW, shop=Shop("Salon", "fr-FR", "EUR")
    )
    assert reply.understanding.items == ("CO-1",) and "62,00\xa0€" in reply.message.text


def test_an_ingredient_asked_of_one_item_is_about_that_item_not_the_allergen_note() -> None:
    bakery = build_index(
        "b",
        [
            CatalogItem("K-1", "Carrot Cake Slice", "Cakes", 650, "USD", 8, "in_stock",
                        description="Cream cheese frosting and walnuts"),
            CatalogItem("K-2", "Apple Pie", "Cakes", 2800, "USD", 5, "in_stock"),
        ],
    )  # fmt: skip
    allergens = [InfoEntry("allergens", "Allergens", "We bake with nuts and sesame in the same kitchen.")]
    reply = respond("does the carrot cake have nuts? my son is allergic", DialogueState(), bakery, NOW,
                    shop=SHOP, info=allergens)  # fmt: skip
    assert reply.understanding.intent == "product" and reply.understanding.items == ("K-1",)


def test_do_you_have_a_named_item_in_a_size_asks_its_availability() -> None:
    (reply,) = chat("do you have the grey hoodie in size M?")
    assert reply.understanding.intent == "availability" and reply.understanding.items == ("HD-1",)
    assert "“Sizes S, M, L.”" in reply.message.text


def test_a_list_of_a_kind_holds_the_items_called_that_not_everything_the_word_implies() -> None:
    denim = build_index(
        "d",
        [
            CatalogItem("DR-9", "Denim Shirt Dress", "Dresses", 7400, "USD", 6, "in_stock", tags=("denim",)),
            CatalogItem("JN-1", "Skinny Jeans", "Trousers", 5400, "USD", 30, "in_stock", tags=("jeans",)),
            CatalogItem("JN-2", "Mom Jeans", "Trousers", 5900, "USD", 14, "in_stock", tags=("jeans",)),
        ],
    )
    reply = respond("do you sell jeans?", DialogueState(), denim, NOW, shop=SHOP)
    assert set(reply.understanding.candidates) == {"JN-1", "JN-2"}
    assert "Denim Shirt Dress" not in reply.message.text


def test_asking_to_be_advised_on_a_budget_is_a_list_not_a_hand_off() -> None:
    # "me conseiller" is "advise me"; "un conseiller" (an adviser) asks for a person
    text = "je cherche une robe, pas plus de 100 dollars, vous pouvez me conseiller ?"
    (reply,) = chat(text, shop=Shop("Maple", "fr-FR", "USD"))
    assert reply.understanding.intent == "browse" and set(reply.understanding.candidates) == {
        "DR-1",
        "DR-2",
        "DR-3",
    }


def test_a_budget_is_respected_and_sorted() -> None:
    (reply,) = chat("dresses under $100")
    assert reply.understanding.intent == "browse" and reply.understanding.max_price_minor == 10000
    assert "Silk Evening Dress" not in reply.message.text
    assert reply.message.text.index("Linen Summer Dress") < reply.message.text.index("Floral Dress")
    assert [r.id for r in reply.message.rows] == ["item:DR-3", "item:DR-1"]


def test_misspellings_and_what_we_do_not_have() -> None:
    typo, suede = chat("lether jaket"), chat("got any suede jackets?")
    assert typo[0].understanding.items[0] == "JK-1"
    text = suede[0].message.text
    assert text.startswith("We don't have suede") and "Leather Jacket" in text and "Denim Jacket" in text


def test_the_leather_one_after_a_list() -> None:
    _, reply = chat("show me jackets", "how much is the leather one")
    assert reply.understanding.items == ("JK-1",) and "$199.00" in reply.message.text


def test_a_material_asked_of_the_item_just_discussed_is_about_that_item() -> None:
    # "fleece" is a word of the hoodie's description: it names that hoodie, not a search
    _, navy = chat("how much is the hoodie?", "do you have that soft fleece in navy?")
    assert navy.understanding.intent == "product" and navy.understanding.items == ("HD-1",)
    assert not navy.understanding.listing and navy.understanding.attribute == "color"


def test_an_item_asked_for_a_day_is_its_availability() -> None:
    (reply,) = chat("floral dress tomorrow?")
    assert reply.understanding.intent == "availability" and reply.understanding.items == ("DR-1",)


def test_restock_date_and_notify_on_yes() -> None:
    back, yes = chat("when will the denim jacket be back?", "yes please")
    assert "15 December" in back.message.text and [b.id for b in back.message.buttons] == ["notify:JK-2"]
    assert "Leather Jacket" in back.message.text  # the in-stock alternative
    assert yes.plan.notify_sku == "JK-2"


def test_booking_on_the_day_asked_then_yes() -> None:
    ask, yes = chat("can I get alterations on wednesday at 10?", "yes")
    assert ask.understanding.intent == "booking" and "Wed 9 Dec, 10:00 is free" in ask.message.text
    assert yes.plan.conversion == "booking" and yes.plan.booking_slot == SLOTS[1]
    assert "Booked: Alterations on Wed 9 Dec, 10:00" in yes.message.text


def test_yes_with_a_goodbye_answers_the_booking_question() -> None:
    *_, bye = chat("can I book alterations on saturday at 11?", "great, see you saturday")
    assert bye.understanding.intent == "confirm" and bye.plan.conversion == "booking"


def test_a_weekday_with_a_number_that_is_not_its_date_is_a_time() -> None:
    # Thursday 3 December: "sat 11" is Saturday the 5th at 11 (the 11th is a Friday); "wed 9" the 9th
    sat, wed = chat("alterations sat 11?", "or wed 9?")
    assert sat.understanding.date == datetime(2026, 12, 5).date() and sat.understanding.time == "11:00"
    assert wed.understanding.date == datetime(2026, 12, 9).date()


def test_next_weekday_is_in_next_week() -> None:
    # on Thursday 3 December "next wednesday" is the 9th, "next friday" the 11th
    wed, fri = chat("alterations next wednesday?", "or next friday?")
    assert wed.understanding.date == datetime(2026, 12, 9).date()
    assert fri.understanding.date == datetime(2026, 12, 11).date()


def test_ok_with_a_time_picks_from_the_times_offered() -> None:
    _, pick = chat("can I book alterations?", "ok wednesday 2pm")
    assert pick.understanding.intent == "booking" and pick.plan.state.pending is not None
    assert pick.plan.state.pending.slot_id == "SV-1__2026-12-09T1400"


def test_a_full_or_past_day_offers_the_nearest_free_slots() -> None:
    (full,) = chat("alterations on friday?")
    assert "fully booked" in full.message.text and "Sat 5 Dec, 11:00" in full.message.text
    (past,) = chat("alterations today at 9am")
    assert "already passed" in past.message.text
    assert all(row.id.startswith("slot:") for row in past.message.rows)


def test_thanks_with_a_shop_question_answers_the_question() -> None:
    _, reply = chat("how much is the hoodie?", "thanks! also when are you open")
    assert reply.understanding.intent == "info" and "Mon–Sat 9:00–18:00" in reply.message.text


def test_shop_information_is_quoted_and_the_unknown_goes_to_staff() -> None:
    hours, delivery, unknown = (
        chat("are you open on sunday?"),
        chat("do you deliver to Brooklyn?"),
        chat("what's your address?"),
    )
    assert hours[0].message.text == "Mon–Sat 9:00–18:00, closed Sunday."
    assert delivery[0].message.text == "We deliver in Brooklyn and Manhattan for $5."
    assert unknown[0].plan.needs_staff and not unknown[0].message.rows
    assert "check with the team" in unknown[0].message.text


def test_one_upsell_per_conversation_never_an_item_already_listed() -> None:
    first, second = chat("how much is the hoodie?", "and the beanie?")
    assert first.plan.upsold and first.message.text.count("You might also like") == 1
    assert not second.plan.upsold and "You might also like" not in second.message.text
    (miss,) = chat("do you sell surfboards?")
    assert not miss.plan.matched and "You might also like" not in miss.message.text


def test_asking_for_a_price_is_not_a_hand_off() -> None:
    (reply,) = chat("can someone tell me the price of the beanie")
    assert reply.understanding.intent == "product" and not reply.plan.handoff


def test_where_is_my_order_is_not_a_new_order() -> None:
    (reply,) = chat("where is my order?")
    assert reply.understanding.intent == "order_status" and reply.plan.needs_staff


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("quanto custa o moletom?", "pt", "US$\u00a045,00"),
        ("¿cuánto cuesta la sudadera?", "es", "USD45.00"),  # es-MX writes dollars so
        ("combien coûte le sweat ?", "fr", "45,00"),
        ("berapa harga hoodie nya kak?", "id", "45,00"),
        ("hoodie kitne ka hai bhai?", "hi", "$45.00"),
    ],
)
def test_each_language_is_answered_in_kind(text: str, lang: str, expected: str) -> None:
    (reply,) = chat(text)
    assert reply.understanding.language == lang and reply.understanding.items == ("HD-1",)
    assert expected in reply.message.text


def test_ok_a_number_or_an_emoji_keeps_the_conversation_language() -> None:
    replies = chat("quanto custa o moletom?", "ok", "2", "👍")
    assert [r.understanding.language for r in replies] == ["pt", "pt", "pt", "pt"]


def test_a_number_word_of_the_conversation_language_keeps_it() -> None:
    # "dos" is two in Spanish and "of the" in Portuguese
    replies = chat("cuánto cuesta la sudadera gris?", "deme dos")
    assert [r.understanding.language for r in replies] == ["es", "es"]
    assert replies[1].understanding.intent == "order" and replies[1].understanding.quantity == 2


def test_money_and_dates_follow_the_locale() -> None:
    shop = Shop("Loja", "pt-BR", "BRL")
    item = CatalogItem("BM-1", "Camiseta básica", "Camisetas", 3990, "BRL", 10, "in_stock")
    reply = respond("quanto custa a camiseta?", DialogueState(), build_index("b", [item]), NOW, shop=shop)
    assert "R$\u00a039,90" in reply.message.text  # Babel's pt-BR format, with its no-break space
