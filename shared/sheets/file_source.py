"""A local CSV or XLSX file as a sheet: the offline default and the demo."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from shared.catalog.info import is_info_tab
from shared.errors import PermanentError
from shared.sheets.sources import SheetTable, SourceVersion, table_from_rows


def cell_text(value: Any) -> str:
    """A spreadsheet value as the string a person sees (12.0 -> "12", dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class FileSource:
    def __init__(self, path: str, *, worksheet: str | None = None) -> None:
        self.path = Path(path)
        self.worksheet = worksheet
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", self.path.stem)
        digest = hashlib.sha1(str(self.path.resolve()).encode()).hexdigest()[:6]
        self.sheet_id = f"file-{stem}-{digest}" + (
            f"-{re.sub(r'[^A-Za-z0-9_-]+', '-', worksheet)}" if worksheet else ""
        )
        self.description = f"file:{self.path}"

    @property
    def info_path(self) -> Path:
        """The Info tab of a CSV sheet: `catalog.csv` -> `catalog.info.csv` next to it."""
        return self.path.with_name(f"{self.path.stem}.info{self.path.suffix}")

    def version(self) -> SourceVersion:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise PermanentError(f"sheet file not found: {self.path}") from None
        version = f"{stat.st_mtime_ns}-{stat.st_size}"
        if self.path.suffix.lower() in _CSV and self.info_path.exists():
            info = os.stat(self.info_path)
            version += f"+{info.st_mtime_ns}-{info.st_size}"
        return SourceVersion(version=version, modified_time=datetime.fromtimestamp(stat.st_mtime, UTC))

    def read(self) -> SheetTable:
        if not self.path.exists():
            raise PermanentError(f"sheet file not found: {self.path}")
        suffix = self.path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            values, info = self._xlsx_values()
            table = table_from_rows(values)
        elif suffix in _CSV:
            table = table_from_rows(_csv_values(self.path))
            info = _csv_values(self.info_path) if self.info_path.exists() else None
        else:
            raise PermanentError(f"unsupported sheet file type {suffix!r} (use .csv or .xlsx)")
        table.info = info
        return table

    def _xlsx_values(self) -> tuple[list[list[str]], list[list[str]] | None]:
        """The catalog worksheet's cells and the Info worksheet's (None when there is none)."""
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise PermanentError(f"cannot open {self.path}: {exc}") from exc
        try:
            info_sheet = next((s for s in book.worksheets if is_info_tab(s.title)), None)
            if self.worksheet:
                if self.worksheet not in book.sheetnames:
                    raise PermanentError(
                        f"worksheet {self.worksheet!r} not in {self.path.name}: {book.sheetnames}"
                    )
                sheet = book[self.worksheet]
            else:
                sheet = next((s for s in book.worksheets if s is not info_sheet), book.worksheets[0])

            def cells(ws: Any) -> list[list[str]]:
                return [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]

            has_info = info_sheet is not None and info_sheet is not sheet
            return cells(sheet), cells(info_sheet) if has_info else None
        finally:
            book.close()


_CSV = (".csv", ".tsv", ".txt")


def _csv_values(path: Path) -> list[list[str]]:
    """A CSV file's cells (UTF-8 with or without BOM, else Excel's cp1252; `,` `;` or tab)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # what Excel's "CSV" export writes
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]
