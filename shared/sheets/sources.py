"""The one interface every sheet source implements, and the factory that picks one.

A source answers two questions: "what version is the sheet at?" (cheap: a file's mtime, or the
Drive file's `version`) and "what are its rows?" (the whole catalog tab, as the strings a person
sees, plus the Info tab when there is one: a tab named Info/Informações/Información/...; for a
CSV file, the sibling file NAME.info.csv).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from shared.catalog.columns import looks_like_header

if TYPE_CHECKING:
    from shared.tenants import TenantConfig

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class SourceVersion:
    version: str
    modified_time: datetime | None = None


@dataclass
class SheetTable:
    """A sheet read: the header row and every non-blank row after it, with 1-based row numbers."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    info: list[list[str]] | None = None  # the Info tab's cells, None when the sheet has none


class SheetSource(Protocol):
    sheet_id: str
    description: str

    def version(self) -> SourceVersion: ...

    def read(self) -> SheetTable: ...


def table_from_rows(values: list[list[str]], *, first_row: int = 1) -> SheetTable:
    """Find the header (the first of the top rows naming at least a name and a price column,
    else the first non-blank row) and keep the non-blank rows below it."""
    header_index = None
    for index, cells in enumerate(values[:HEADER_SEARCH_ROWS]):
        if looks_like_header(cells):
            header_index = index
            break
    if header_index is None:
        header_index = next((i for i, cells in enumerate(values) if any(c.strip() for c in cells)), 0)
    headers = values[header_index] if values else []
    rows = [
        (first_row + index, cells)
        for index, cells in enumerate(values)
        if index > header_index and any(c.strip() for c in cells)
    ]
    return SheetTable(headers=list(headers), header_row=first_row + header_index, rows=rows)


def open_source(config: TenantConfig) -> SheetSource:
    """The source the tenant's settings name: `file:PATH` or `gsheets:SPREADSHEET_ID`."""
    if config.source_kind == "file":
        from shared.sheets.file_source import FileSource

        return FileSource(config.source_location, worksheet=config.worksheet)
    from shared.sheets.gsheets_source import GoogleSheetSource

    return GoogleSheetSource(config.source_location, worksheet=config.worksheet)
