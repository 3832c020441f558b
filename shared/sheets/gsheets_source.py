"""A Google Sheet through gspread: Drive v3 `files.get` for the cheap version check, then one
Sheets v4 `values:batchGet` (row blocks of the catalog tab, plus the Info tab when there is one)
for the content."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import google.auth.exceptions
import requests
from gspread.exceptions import APIError
from gspread.utils import rowcol_to_a1

from shared.catalog.info import is_info_tab
from shared.errors import PermanentError, TransientError
from shared.sheets.gsheets_client import is_retryable
from shared.sheets.sources import SheetTable, SourceVersion, table_from_rows

if TYPE_CHECKING:
    import gspread

ROWS_PER_RANGE = 20_000


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


class GoogleSheetSource:
    def __init__(
        self, spreadsheet_id: str, *, worksheet: str | None = None, client: gspread.Client | None = None
    ):
        self.spreadsheet_id = spreadsheet_id
        self.worksheet = worksheet
        self.sheet_id = spreadsheet_id + (f"-{worksheet}" if worksheet else "")
        self.description = f"gsheets:{spreadsheet_id}"
        self._client = client

    @property
    def client(self) -> gspread.Client:
        if self._client is None:
            from shared.sheets.gsheets_client import gspread_client

            self._client = gspread_client()
        return self._client

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except APIError as error:
            if error.code in (403, 404) and not is_retryable(error):
                raise PermanentError(
                    f"{what}: HTTP {error.code} (is the sheet shared with the service account?)"
                ) from error
            raise TransientError(f"{what}: HTTP {error.code}") from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientError(f"{what}: {type(error).__name__}") from error
        except google.auth.exceptions.RefreshError as error:
            if getattr(error, "retryable", False):
                raise TransientError(f"{what}: token refresh failed, will retry") from error
            raise PermanentError(f"{what}: the service account was refused: {error.args[0]}") from error
        except google.auth.exceptions.TransportError as error:
            raise TransientError(f"{what}: token endpoint unreachable") from error

    def version(self) -> SourceVersion:
        from gspread.urls import DRIVE_FILES_API_V3_URL

        http = self.client.http_client
        response = self._call(
            "drive files.get",
            http.request,
            "get",
            f"{DRIVE_FILES_API_V3_URL}/{self.spreadsheet_id}",
            params={"fields": "id,modifiedTime,version", "supportsAllDrives": "true"},
        )
        meta = response.json()
        modified = meta.get("modifiedTime")
        return SourceVersion(
            version=str(meta.get("version") or modified or ""),
            modified_time=datetime.fromisoformat(modified.replace("Z", "+00:00")) if modified else None,
        )

    def read(self) -> SheetTable:
        http = self.client.http_client
        meta = self._call(
            "sheets spreadsheets.get",
            http.fetch_sheet_metadata,
            self.spreadsheet_id,
            params={"fields": "sheets.properties(sheetId,title,index,gridProperties(rowCount,columnCount))"},
        )
        sheets = sorted((s["properties"] for s in meta.get("sheets", [])), key=lambda p: p.get("index", 0))
        info = next((p for p in sheets if is_info_tab(p.get("title", ""))), None)
        if self.worksheet:
            chosen = next((p for p in sheets if p.get("title") == self.worksheet), None)
            if chosen is None:
                raise PermanentError(f"worksheet {self.worksheet!r} not found in {self.spreadsheet_id}")
        elif sheets:
            chosen = next((p for p in sheets if p is not info), sheets[0])
        else:
            raise PermanentError(f"spreadsheet {self.spreadsheet_id} has no worksheets")
        ranges = _ranges(chosen)
        info_ranges = _ranges(info) if info is not None and info is not chosen else []
        data = self._call(
            "sheets values.batchGet",
            http.values_batch_get,
            self.spreadsheet_id,
            ranges + info_ranges,
            params={"majorDimension": "ROWS", "valueRenderOption": "FORMATTED_VALUE"},
        )
        blocks = data.get("valueRanges", [])
        table = table_from_rows(_values(blocks[: len(ranges)]))
        table.info = _values(blocks[len(ranges) :]) if info_ranges else None
        return table


def _ranges(tab: dict[str, Any]) -> list[str]:
    """A1 ranges covering a tab's grid, ROWS_PER_RANGE rows each."""
    grid = tab.get("gridProperties", {})
    row_count, col_count = int(grid.get("rowCount", 1000)), max(int(grid.get("columnCount", 26)), 1)
    title = _quote(tab["title"])
    ranges = []
    for start in range(1, row_count + 1, ROWS_PER_RANGE):
        end = min(start + ROWS_PER_RANGE - 1, row_count)
        ranges.append(f"{title}!{rowcol_to_a1(start, 1)}:{rowcol_to_a1(end, col_count)}")
    return ranges


def _values(blocks: list[dict[str, Any]]) -> list[list[str]]:
    values: list[list[str]] = []
    for index, block in enumerate(blocks):
        rows = block.get("values", [])
        # Trailing blank rows are omitted by the API: pad so row numbers stay right.
        start = index * ROWS_PER_RANGE
        values.extend([] for _ in range(start - len(values)))
        values.extend([[str(c) for c in row] for row in rows])
    return values
