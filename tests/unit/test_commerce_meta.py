"""WhatsApp product messages and the Meta catalog diff (pure parts)."""

from __future__ import annotations

from shared.commerce.meta_catalog import diff_catalog, fields_hash, item_fields
from shared.whatsapp.graph import message_body
from shared.whatsapp.outbound import OutboundMessage, ProductSection

ITEM = {
    "sku": "TEE-1",
    "name": "Tee",
    "price_minor": 1999,
    "currency": "BRL",
    "active": True,
    "kind": "product",
}


def test_one_sku_is_a_product_message() -> None:
    message = OutboundMessage(
        text="Here it is", catalog_id="C1", products=(ProductSection(title="Tees", skus=("TEE-1",)),)
    )
    body = message_body("5511999990000", message)
    assert body["type"] == "interactive"
    assert body["interactive"] == {
        "type": "product",
        "body": {"text": "Here it is"},
        "action": {"catalog_id": "C1", "product_retailer_id": "TEE-1"},
    }
    assert message.document()["type"] == "interactive"


def test_several_skus_are_a_product_list_with_sections_and_a_header() -> None:
    message = OutboundMessage(
        text="Our tees and caps",
        catalog_id="C1",
        header="New in",
        products=(
            ProductSection(title="Tees", skus=("TEE-1", "TEE-2")),
            ProductSection(title="Caps", skus=("CAP-1",)),
        ),
    )
    interactive = message_body("5511999990000", message)["interactive"]
    assert interactive["type"] == "product_list" and interactive["header"] == {
        "type": "text",
        "text": "New in",
    }
    assert interactive["action"]["sections"][1] == {
        "title": "Caps",
        "product_items": [{"product_retailer_id": "CAP-1"}],
    }


def test_without_a_catalog_the_message_stays_text() -> None:
    message = OutboundMessage(text="Tee", products=(ProductSection(title="Tees", skus=("TEE-1",)),))
    assert message_body("1", message)["type"] == "text"


def test_feed_fields_follow_what_can_be_sold() -> None:
    fields = item_fields(
        ITEM, {"stock": 5, "reserved": 5, "available": 0, "status": "out"}, link="https://x/"
    )
    assert (fields["price"], fields["availability"], fields["inventory"]) == ("19.99 BRL", "out of stock", 0)
    assert (
        item_fields({**ITEM, "currency": "JPY", "price_minor": 1500}, None, link="l")["price"] == "1500 JPY"
    )


def test_diff_sends_only_changes_and_deletes_what_left() -> None:
    synced = {"TEE-1": fields_hash(item_fields(ITEM, None, link="l")), "OLD": "abc"}
    items = [
        ITEM,
        {**ITEM, "sku": "CAP-1"},
        {**ITEM, "sku": "SRV", "kind": "service"},
        {**ITEM, "sku": "OFF", "active": False},
    ]
    diff = diff_catalog(items, {}, synced, link="l")
    assert [u["fields"]["id"] for u in diff.updates] == ["CAP-1"]
    assert diff.deletes == ["OLD"]
    assert [r["method"] for r in diff.requests()] == ["UPDATE", "DELETE"]


def test_a_list_of_items_goes_out_as_a_product_list_of_the_synced_ones() -> None:
    from shared.commerce.meta_catalog import as_product_message
    from shared.whatsapp.outbound import ListRow

    rows = tuple(ListRow(id=f"item:{sku}", title=sku) for sku in ("TEE-1", "TEE-2", "CAP-1"))
    listed = OutboundMessage(
        text="Here is what we have:\n• Tee\n• Tee 2\n• Cap", rows=rows, list_button="See items"
    )
    product_list = as_product_message(listed, "C1", {"TEE-1", "CAP-1"})  # TEE-2 was refused by Meta
    body = message_body("5511999990000", product_list)
    assert body["interactive"]["type"] == "product_list"
    assert body["interactive"]["header"] == {"type": "text", "text": "Here is what we have:"}
    assert body["interactive"]["action"]["sections"] == [
        {
            "title": "See items",
            "product_items": [{"product_retailer_id": "TEE-1"}, {"product_retailer_id": "CAP-1"}],
        }
    ]
    assert as_product_message(listed, "C1", set()) == listed  # nothing in Meta's catalog: the list stays
    slots = OutboundMessage(text="Free times", rows=(ListRow(id="slot:S1", title="Sat 10:00"),))
    assert as_product_message(slots, "C1", {"S1"}) == slots  # only item lists become products
