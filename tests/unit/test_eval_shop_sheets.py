"""The evaluation shops (tests/data/eval/shops/, written by another hand as shops in each
country write their sheets) read without a rename: every column known, every row valid, prices
in the shop's currency, every Info topic stored, and the locale guessed from the sheet."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.catalog.columns import map_headers
from shared.catalog.diff import diff_rows
from shared.catalog.info import read_info
from shared.sheets.file_source import FileSource
from shared.sheets.locale_guess import guess_locale
from shared.sheets.poll import reading_context
from shared.tenants import TenantConfig

SHOPS = Path(__file__).resolve().parents[1] / "data" / "eval" / "shops"
INDEX: dict[str, dict[str, Any]] = json.loads((SHOPS / "index.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("shop", sorted(INDEX))
def test_an_eval_shop_sheet_reads_without_renaming_a_column(shop: str) -> None:
    meta = INDEX[shop]
    source = FileSource(str(SHOPS / shop / "catalog.csv"))
    table = source.read()
    header = map_headers(table.headers)
    assert header.missing == [] and header.unknown == []
    config = TenantConfig(
        tenant_id=shop,
        phone_number_id="pn",
        source=f"file:{source.path}",
        currency=meta["currency"],
        locale=meta["locale"],
        timezone=meta["timezone"],
    )
    ctx = reading_context(config, header, datetime(2026, 12, 3, 15, 0, tzinfo=UTC), "epoch")
    diff = diff_rows(table.rows, header, {}, ctx)
    assert [(i.row, i.column, i.value, i.problem) for i in diff.issues_to_write] == []
    assert diff.valid == diff.rows > 0
    assert {i.row.currency for i in diff.to_write if i.row} == {meta["currency"]}
    assert {e.topic for e in read_info(table.info or [])} == set(meta["info_topics"].values())
    locale, currency = guess_locale(table)
    assert currency == meta["currency"]
    assert locale.split("-")[1] == meta["locale"].split("-")[1]  # the right country
