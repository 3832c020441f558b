"""The Info tab: what a business answers about itself (opening hours, address, delivery, returns,
payment), one topic per row, two columns (topic, answer), in any of the six languages.

    Tópico                     | Resposta
    Horário de funcionamento   | Seg a sex, 9h às 18h
    Entrega                    | Frete grátis acima de R$ 200

Stored as `tenants/{t}/info/{topic_id}` (`topic`, `answer`, `kind`, `updated_at`); like catalog
rows, an entry is rewritten only when its text changed, and deleted when its row is gone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.catalog.rows import clean, slugify
from shared.catalog.words import lexicon, normalise


@dataclass(frozen=True)
class InfoEntry:
    topic_id: str
    topic: str
    answer: str
    kind: str  # hours, address, delivery, returns, payment, contact, other
    row: int

    @property
    def hash(self) -> str:
        return hashlib.blake2b(f"{self.topic}\x1f{self.answer}".encode(), digest_size=8).hexdigest()


def is_info_tab(title: str) -> bool:
    """`Info`, `Informações`, `Información`, `Informations`, `Informasi`, `जानकारी`..."""
    return lexicon().has("info_tabs", title)


def _columns(row: list[str]) -> tuple[int, int] | None:
    """(topic, answer) positions when `row` is the tab's header row, else None."""
    kinds = {i: lexicon().info_headers.get(normalise(c)) for i, c in enumerate(row)}
    topic = next((i for i, k in kinds.items() if k == "topic"), None)
    answer = next((i for i, k in kinds.items() if k == "answer" and i != topic), None)
    return (topic, answer) if topic is not None and answer is not None else None


def read_info(values: list[list[str]]) -> list[InfoEntry]:
    """The entries of an Info tab (header row optional; without one the first two columns are
    topic and answer). Rows without an answer are left out; a repeated topic keeps its first row."""
    rows = [(n, [clean(c) for c in cells]) for n, cells in enumerate(values, start=1)]
    rows = [(n, cells) for n, cells in rows if any(cells)]
    topic_at, answer_at = 0, 1
    if rows and (found := _columns(rows[0][1])) is not None:
        topic_at, answer_at = found
        rows = rows[1:]
    entries: dict[str, InfoEntry] = {}
    for number, cells in rows:
        topic = cells[topic_at] if topic_at < len(cells) else ""
        answer = cells[answer_at] if answer_at < len(cells) else ""
        topic_id = slugify(topic)
        if not topic_id or not answer or topic_id in entries:
            continue
        entries[topic_id] = InfoEntry(topic_id, topic, answer, lexicon().info_kind(topic), number)
    return list(entries.values())


@dataclass
class InfoDiff:
    to_write: list[InfoEntry] = field(default_factory=list)
    to_delete: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # topic_id -> hash, kept in sheet_state


def diff_info(entries: list[InfoEntry], previous: dict[str, str]) -> InfoDiff:
    """What to write and delete, given the hashes the last poll kept."""
    result = InfoDiff(hashes={e.topic_id: e.hash for e in entries})
    result.to_write = [e for e in entries if previous.get(e.topic_id) != e.hash]
    result.to_delete = sorted(previous.keys() - result.hashes.keys())
    return result


def info_doc(entry: InfoEntry, *, sheet_id: str, now: datetime) -> dict[str, Any]:
    return {
        "topic": entry.topic,
        "answer": entry.answer,
        "kind": entry.kind,
        "row": entry.row,
        "sheet_id": sheet_id,
        "updated_at": now,
    }
