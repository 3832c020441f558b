"""Integrity of the labelled evaluation set under tests/data/eval (read by bench/answers.py).

Every shop sheet parses, every label points at something that exists (a SKU in that shop's
sheet, a topic in its Info tab, an intent of the taxonomy), and each language has enough turns,
multi-turn dialogues and shop kinds to be measured on its own.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel import Locale

EVAL = Path(__file__).resolve().parents[1] / "data" / "eval"
LABELS: dict[str, Any] = json.loads((EVAL / "labels.json").read_text(encoding="utf-8"))
INDEX: dict[str, dict[str, Any]] = json.loads((EVAL / "shops" / "index.json").read_text(encoding="utf-8"))
LANGS: list[str] = LABELS["languages"]
SKU_HEADERS = {"sku", "code", "código", "cód", "clave", "réf", "réf.", "kode", "item code", "कोड"}
MIN_TURNS, MIN_MULTI = 75, 10


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]


@cache
def shop_skus(shop: str) -> frozenset[str]:
    """The SKUs of a shop's sheet: the column whose header names a code, else the first column."""
    header, *body = _rows(EVAL / "shops" / shop / "catalog.csv")
    names = [cell.strip().lower() for cell in header]
    column = next((i for i, name in enumerate(names) if name in SKU_HEADERS), 0)
    return frozenset(row[column].strip() for row in body if row[column].strip())


@cache
def dialogues(lang: str) -> list[dict[str, Any]]:
    lines = (EVAL / "dialogues" / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_index_lists_every_shop_once_per_kind_and_language() -> None:
    folders = {p.name for p in (EVAL / "shops").iterdir() if p.is_dir()}
    assert folders == set(INDEX)
    pairs = {(k, lang) for k in LABELS["kinds"] for lang in LANGS}
    assert {(s["kind"], s["lang"]) for s in INDEX.values()} == pairs
    for shop, meta in INDEX.items():
        assert shop == f"{meta['kind']}_{meta['lang']}"
        ZoneInfo(meta["timezone"])  # raises for an unknown zone
        assert Locale.parse(meta["locale"], sep="-").language == meta["lang"]
        assert re.fullmatch(r"[A-Z]{3}", meta["currency"])


@pytest.mark.parametrize("shop", sorted(INDEX))
def test_catalog_sheet_is_rectangular_with_unique_codes(shop: str) -> None:
    header, *body = _rows(EVAL / "shops" / shop / "catalog.csv")
    assert all(cell.strip() for cell in header), "every column has a header"
    assert 15 <= len(body) <= 30
    assert all(len(row) == len(header) for row in body)
    assert len(shop_skus(shop)) == len(body), "one unique code per row"


@pytest.mark.parametrize("shop", sorted(INDEX))
def test_info_tab_has_topic_answer_rows_and_the_index_names_them(shop: str) -> None:
    header, *body = _rows(EVAL / "shops" / shop / "catalog.info.csv")
    assert len(header) == 2 and len(body) >= 5
    assert all(len(row) == 2 and row[0].strip() and row[1].strip() for row in body)
    topics = {row[0] for row in body}
    assert set(INDEX[shop]["info_topics"].values()) <= topics
    assert {"hours", "address", "payment"} <= set(INDEX[shop]["info_topics"])


def _check_turn(turn: dict[str, Any], shop: str) -> None:
    assert set(turn) <= set(LABELS["turn_keys"]), turn
    assert turn["text"].strip() and turn["intent"] in LABELS["intents"] and turn["lang"] in LANGS, turn
    items = turn.get("items", [])
    assert set(items) <= shop_skus(shop) and len(items) == len(set(items)) <= 3, turn
    if "attribute" in turn:
        assert turn["attribute"] in LABELS["attributes"], turn
    for key, value in turn.get("constraints", {}).items():
        if key == "sort":
            assert value in LABELS["constraints"]["sort"], turn
        else:
            assert key in LABELS["constraints"] and isinstance(value, int) and value > 0, turn
    if "quantity" in turn:
        assert isinstance(turn["quantity"], int) and turn["quantity"] > 0, turn
    if "date" in turn:
        assert date.fromisoformat(turn["date"]).isoformat() == turn["date"], turn
    if "time" in turn:
        assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", turn["time"]), turn
    if "info_topic" in turn:
        assert turn["info_topic"] in INDEX[shop]["info_topics"], turn


@pytest.mark.parametrize("lang", LANGS)
def test_dialogues_are_labelled_with_the_taxonomy_and_real_skus(lang: str) -> None:
    seen: set[str] = set()
    for dialogue in dialogues(lang):
        assert dialogue["id"].startswith(f"{lang}-") and dialogue["id"] not in seen
        seen.add(dialogue["id"])
        shop = dialogue["shop"]
        assert INDEX[shop]["lang"] == lang
        now = datetime.fromisoformat(dialogue["now"])
        assert now.utcoffset() == now.replace(tzinfo=ZoneInfo(INDEX[shop]["timezone"])).utcoffset()
        assert dialogue["turns"]
        for turn in dialogue["turns"]:
            _check_turn(turn, shop)
            if "date" in turn:
                assert date.fromisoformat(turn["date"]) >= now.date(), "dates are resolved forward from now"


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_is_big_and_varied_enough_to_measure(lang: str) -> None:
    found = dialogues(lang)
    turns = [turn for dialogue in found for turn in dialogue["turns"]]
    assert len(turns) >= MIN_TURNS
    assert sum(len(d["turns"]) > 1 for d in found) >= MIN_MULTI
    assert {INDEX[d["shop"]]["kind"] for d in found} == set(LABELS["kinds"])
    intents = Counter(turn["intent"] for turn in turns)
    assert len(intents) >= 15, "most of the taxonomy is exercised"
    assert sum(1 for t in turns if t.get("items") == []) >= 3, "some asks are for things the shop lacks"
    assert sum(1 for t in turns if "date" in t) >= 5 and sum(1 for t in turns if "constraints" in t) >= 3
    assert len({t["text"] for t in turns}) > len(turns) * 0.9, "messages are not copies of each other"


def test_the_whole_set_has_at_least_450_turns() -> None:
    assert sum(len(d["turns"]) for lang in LANGS for d in dialogues(lang)) >= 450
