"""The compact row-hash state: round trip, shard size within Firestore's 1 MiB limit."""

from __future__ import annotations

from shared.catalog.diff import RowState
from shared.sheets.state import SHARD_ROWS, decode_shard, encode_shard


def test_round_trip() -> None:
    rows = {
        2: RowState("0123456789abcdef", "JKT-001", True, True, ()),
        3: RowState("fedcba9876543210", "JKT-001", True, False, ("r3-sku",)),
        7: RowState("00ff00ff00ff00ff", "", False, False, ("r7-name", "r7-price")),
    }
    assert decode_shard(encode_shard(rows, 0), 0) == rows


def test_a_full_shard_of_long_skus_stays_far_below_one_mib() -> None:
    import os

    rows = {
        n: RowState(os.urandom(8).hex(), f"SKU-{'x' * 50}-{n}", True, True, ())
        for n in range(SHARD_ROWS, 2 * SHARD_ROWS)
    }
    blob = encode_shard(rows, 1)
    assert len(blob) < 400_000
    assert decode_shard(blob, 1) == rows
