"""The grounding check, right both ways: a table of sentences a reply might contain, half of them
correct (the bot's own confirmations, correct negatives, quotes), half invented (discounts, free
shipping, amounts in words, wrong prices, stock or availability), in our six languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.conversation.grounding import check_reply
from shared.conversation.retrieval import CatalogItem

TABLE = Path(__file__).resolve().parents[1] / "data" / "grounding" / "sentences.jsonl"
ROWS = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines() if line.strip()]
ITEMS = [
    CatalogItem("JKT-001", "Denim Jacket", "Jackets", 8900, "USD", 14, "in_stock"),
    CatalogItem("JKT-002", "Black Denim Jacket", "Jackets", 9500, "USD", 0, "out"),
    CatalogItem("JKT-004", "Rain Shell", "Jackets", 7500, "USD", 3, "low"),
    CatalogItem(
        "HD-1", "Grey Hoodie", "Tops", 4500, "USD", 12, "in_stock", description="Soft 100% cotton fleece."
    ),
    CatalogItem("SRV-001", "Tailoring Session", "Services", 3000, "USD", None, "in_stock", kind="service"),
    CatalogItem("ES-1", "Chaqueta de mezclilla", "Chaquetas", 8900, "USD", 14, "in_stock"),
    CatalogItem("ES-2", "Chaqueta negra", "Chaquetas", 9900, "USD", 0, "out"),
    CatalogItem("PT-1", "Moletom Cinza", "Moletons", 4500, "BRL", 12, "in_stock"),
    CatalogItem("PT-2", "Jaqueta Preta", "Jaquetas", 19900, "BRL", 0, "out"),
    CatalogItem("PT-3", "Jaqueta Jeans", "Jaquetas", 15900, "BRL", 5, "in_stock"),
    CatalogItem("FR-1", "Veste en jean", "Vestes", 8900, "USD", 14, "in_stock"),
    CatalogItem("FR-2", "Veste noire", "Vestes", 12000, "EUR", 0, "out"),
    CatalogItem("ID-1", "Jaket Denim", "Jaket", 15000000, "IDR", 14, "in_stock"),
    CatalogItem("ID-2", "Jaket Hitam", "Jaket", 17500000, "IDR", 0, "out"),
    CatalogItem("HI-1", "Cotton Kurta", "Kurta", 129900, "INR", 14, "in_stock"),
    CatalogItem("HI-2", "Black Kurta", "Kurta", 149900, "INR", 0, "out"),
]
SLOTS = ("10:00", "14:30")
AMOUNTS = (17800, 10000)  # a cart total, a customer's budget
QUOTES = (
    "Mon–Sat 9:00–18:00, closed Sunday.",
    "We deliver in Brooklyn and Manhattan for $5.",
    "Soft 100% cotton fleece.",
)


def test_the_table_is_large_and_balanced() -> None:
    assert len(ROWS) >= 60
    correct = sum(1 for r in ROWS if r["grounded"])
    assert correct >= 30 and len(ROWS) - correct >= 30
    assert {r["lang"] for r in ROWS} == {"en", "es", "pt", "fr", "id", "hi"}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['lang']}-{r['note']}" for r in ROWS])
def test_each_sentence_is_judged_right(row: dict) -> None:
    result = check_reply(row["text"], ITEMS, slot_times=SLOTS, amounts=AMOUNTS, quotes=QUOTES)
    assert result.grounded is row["grounded"], result.problems


def test_a_quote_is_allowed_only_verbatim() -> None:
    assert check_reply("“Free delivery over $50.”", ITEMS, quotes=("Free delivery over $50.",)).grounded
    assert not check_reply("Free delivery over $50.", ITEMS).grounded
