"""Diffing a sheet read against the last poll's per-row content hashes.

Only rows whose hash changed are interpreted and validated again; unchanged rows carry their
previous outcome. Duplicate SKUs are resolved over all rows every time (the first row wins), so
deleting the first of two duplicates promotes the second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from shared.catalog.columns import HeaderMap
from shared.catalog.rows import Context, Interpreted, Issue, clean, interpret_row, slugify


class RowState(NamedTuple):
    """What the last poll learned about one sheet row (stored compactly in sheet_state shards)."""

    hash: str
    sku: str
    valid: bool
    winner: bool
    issues: tuple[str, ...]  # issue ids of this row


@dataclass
class DiffResult:
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    unchanged: int = 0
    interpreted: int = 0
    to_write: list[Interpreted] = field(default_factory=list)  # winners whose docs must be written
    winners: dict[str, int] = field(default_factory=dict)  # sku -> row
    removed_skus: list[str] = field(default_factory=list)
    issues_to_write: list[Issue] = field(default_factory=list)
    issue_ids_to_delete: list[str] = field(default_factory=list)
    state: dict[int, RowState] = field(default_factory=dict)
    slot_rows: int = 0  # rows with something in their slots cell


def row_hash(row_number: int, cells: Iterable[str], salt: str = "") -> str:
    """A short content hash of a row's cells (and its position, and for rows with slots, the day
    they were resolved on)."""
    text = "\x1f".join(cells)
    return hashlib.blake2b(f"{row_number}\x1e{salt}\x1e{text}".encode(), digest_size=8).hexdigest()


def diff_rows(
    rows: list[tuple[int, list[str]]],
    header: HeaderMap,
    previous: dict[int, RowState],
    ctx: Context,
    *,
    full: bool = False,
    interpret: Callable[..., Interpreted] = interpret_row,
) -> DiffResult:
    """Compare the non-blank data `rows` ((row_number, cells)) with the `previous` state.

    `full` re-interprets every row (after a change of tenant settings that affects them).
    """
    result = DiffResult(rows=len(rows))
    slots_at = header.positions.get("slots")
    sku_at, name_at = header.positions.get("sku"), header.positions.get("name")
    epoch = ctx.slot_epoch or ctx.today.isoformat()
    outcomes: dict[int, Interpreted] = {}
    hashes: dict[int, str] = {}
    keys: dict[int, str] = {}
    valid_rows: list[int] = []
    for number, cells in rows:
        # Slots depend on the clock (weekdays roll forward, past slots drop out): such a row is
        # re-read whenever the epoch moves (each day, and when a slot's time passes).
        dated = slots_at is not None and slots_at < len(cells) and bool(cells[slots_at].strip())
        result.slot_rows += dated
        digest = row_hash(number, cells, epoch if dated else "")
        hashes[number] = digest
        before = previous.get(number)
        if before is not None and before.hash == digest and not full:
            result.unchanged += 1
            keys[number] = before.sku
            if before.valid:
                valid_rows.append(number)
            continue
        outcome = interpret(cells, header, row_number=number, content_hash=digest, ctx=ctx)
        result.interpreted += 1
        outcomes[number] = outcome
        if outcome.row is not None:
            keys[number] = outcome.row.sku
            valid_rows.append(number)
        else:
            keys[number] = clean(cells[sku_at]) if sku_at is not None and sku_at < len(cells) else ""
            if not keys[number] and name_at is not None and name_at < len(cells):
                keys[number] = slugify(cells[name_at])

    cell_rows = dict(rows)
    first_row: dict[str, int] = {}
    duplicates: dict[int, Issue] = {}
    for number in sorted(valid_rows):
        sku = keys[number]
        if sku in first_row:
            duplicates[number] = Issue(
                row=number,
                column="sku",
                value=sku,
                problem=f"duplicate SKU (row {first_row[sku]} wins)",
                header=header.names.get("sku"),
            )
            continue
        first_row[sku] = number
        before = previous.get(number)
        promoted = number not in outcomes and (before is None or not before.winner or full)
        if promoted:
            # A carried row that becomes the winner now (its duplicate went away): interpret it.
            outcome = interpret(
                cell_rows[number], header, row_number=number, content_hash=hashes[number], ctx=ctx
            )
            result.interpreted += 1
            outcomes[number] = outcome
        if number in outcomes and outcomes[number].row is not None:
            result.to_write.append(outcomes[number])
    result.winners = first_row

    previous_winners = {state.sku for state in previous.values() if state.winner}
    result.removed_skus = sorted(previous_winners - set(first_row))

    new_issue_ids: set[str] = set()
    for number, _cells in rows:
        before = previous.get(number)
        digest = hashes[number]
        if number in outcomes or number in duplicates:
            issues = [duplicates[number]] if number in duplicates else outcomes[number].issues
            ids = tuple(i.issue_id for i in issues)
            if full or before is None or before.hash != digest or before.issues != ids:
                result.issues_to_write.extend(issues)
            valid = outcomes[number].row is not None if number in outcomes else True
        else:
            ids = before.issues if before is not None else ()
            valid = bool(before and before.valid)
        if ids:
            new_issue_ids.update(ids)
        sku = keys[number]
        winner = valid and first_row.get(sku) == number
        if before is not None and number not in outcomes and before.winner == winner and before.issues == ids:
            result.state[number] = before  # the common case: nothing about this row changed
        else:
            result.state[number] = RowState(hash=digest, sku=sku, valid=valid, winner=winner, issues=ids)
    old_issue_ids = {i for state in previous.values() for i in state.issues}
    result.issue_ids_to_delete = sorted(old_issue_ids - new_issue_ids)
    result.valid = len(first_row)
    result.invalid = len(rows) - len(first_row)
    return result
