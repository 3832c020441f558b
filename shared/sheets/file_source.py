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

    def version(self) -> SourceVersion:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise PermanentError(f"sheet file not found: {self.path}") from None
        return SourceVersion(
            version=f"{stat.st_mtime_ns}-{stat.st_size}",
            modified_time=datetime.fromtimestamp(stat.st_mtime, UTC),
        )

    def read(self) -> SheetTable:
        if not self.path.exists():
            raise PermanentError(f"sheet file not found: {self.path}")
        suffix = self.path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return table_from_rows(self._xlsx_values())
        if suffix in (".csv", ".tsv", ".txt"):
            return table_from_rows(self._csv_values())
        raise PermanentError(f"unsupported sheet file type {suffix!r} (use .csv or .xlsx)")

    def _csv_values(self) -> list[list[str]]:
        raw = self.path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # what Excel's "CSV" export writes
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]

    def _xlsx_values(self) -> list[list[str]]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise PermanentError(f"cannot open {self.path}: {exc}") from exc
        try:
            if self.worksheet:
                if self.worksheet not in book.sheetnames:
                    raise PermanentError(
                        f"worksheet {self.worksheet!r} not in {self.path.name}: {book.sheetnames}"
                    )
                sheet = book[self.worksheet]
            else:
                sheet = book.worksheets[0]
            return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
