"""What the last poll of a sheet left behind, stored compactly so that a re-poll does not read
the catalog back.

`tenants/{T}/sheet_state/{sheet_id}` holds the bookkeeping (version, last poll, counts,
freshness, anomalies, errors); its subcollection `row_hashes/{shard}` holds one zlib-compressed
line per sheet row (content hash, SKU, flags, issue columns), 5,000 rows per shard document. A
100,000-row sheet is 20 shards of well under 1 MiB, and a poll rewrites only the shards whose
rows changed.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from shared.catalog.diff import RowState
from shared.storage import tenant_collection

if TYPE_CHECKING:
    from google.cloud.firestore import DocumentReference

SHEET_STATE = "sheet_state"
ROW_HASHES = "row_hashes"
SHARD_ROWS = 5_000
MAX_KEY_CHARS = 64


def state_ref(tenant_id: str, sheet_id: str) -> DocumentReference:
    return tenant_collection(tenant_id, SHEET_STATE).document(sheet_id)


def shard_of(row_number: int) -> int:
    return row_number // SHARD_ROWS


def encode_shard(rows: dict[int, RowState], shard: int) -> bytes:
    """One line per row of the shard (blank for rows without state), zlib-compressed."""
    first = shard * SHARD_ROWS
    lines = []
    for number in range(first, first + SHARD_ROWS):
        state = rows.get(number)
        if state is None:
            lines.append("")
            continue
        flags = ("v" if state.valid else "") + ("w" if state.winner else "")
        columns = ",".join(i.split("-", 1)[1] for i in state.issues)
        lines.append(f"{state.hash}\t{state.sku[:MAX_KEY_CHARS]}\t{flags}\t{columns}")
    return zlib.compress("\n".join(lines).rstrip("\n").encode(), 6)


def decode_shard(blob: bytes, shard: int) -> dict[int, RowState]:
    rows: dict[int, RowState] = {}
    first = shard * SHARD_ROWS
    for offset, line in enumerate(zlib.decompress(blob).decode().split("\n")):
        if not line:
            continue
        digest, sku, flags, columns = line.split("\t")
        number = first + offset
        # Most rows have no issues: skip building an empty tuple the slow way (100k rows a poll).
        issues = tuple(f"r{number}-{c}" for c in columns.split(",")) if columns else ()
        rows[number] = RowState(digest, sku, "v" in flags, "w" in flags, issues)
    return rows


def load_rows(tenant_id: str, sheet_id: str) -> dict[int, RowState]:
    """Every row's state from the shards (one query)."""
    rows: dict[int, RowState] = {}
    for snap in state_ref(tenant_id, sheet_id).collection(ROW_HASHES).stream():
        data = snap.to_dict() or {}
        rows.update(decode_shard(data["blob"], int(data["shard"])))
    return rows


def shard_writes(
    tenant_id: str, sheet_id: str, previous: dict[int, RowState], current: dict[int, RowState]
) -> list[tuple[DocumentReference, dict[str, Any] | None]]:
    """(ref, data) for the shards whose rows differ; None deletes a shard that became empty."""
    touched = {shard_of(n) for n in previous.keys() ^ current.keys()}
    touched |= {shard_of(n) for n in previous.keys() & current.keys() if previous[n] != current[n]}
    collection = state_ref(tenant_id, sheet_id).collection(ROW_HASHES)
    present = {shard_of(n) for n in current}
    writes: list[tuple[DocumentReference, dict[str, Any] | None]] = []
    for shard in sorted(touched):
        ref = collection.document(f"{shard:05d}")
        if shard not in present:
            writes.append((ref, None))
            continue
        writes.append(
            (ref, {"shard": shard, "rows_from": shard * SHARD_ROWS, "blob": encode_shard(current, shard)})
        )
    return writes
