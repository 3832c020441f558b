"""Orders and bookings written back where the owner looks: the sheet's `Orders` / `Bookings` tabs
(gspread), or `NAME.orders.csv` / `NAME.bookings.csv` beside a file source.

One row per change (a new order, then each status change), so the tab reads as a log the owner
can filter. The first column is the change's key: rows whose key the tab already has are skipped,
so a retried batch never adds a row twice. Each tab is written with one `values:append` call.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.errors import PermanentError, TransientError
from shared.money import to_decimal

if TYPE_CHECKING:
    import gspread

    from shared.tenants import TenantConfig

ORDER_HEADER = [
    "key", "when", "order", "status", "customer", "whatsapp", "items", "total", "currency",
    "source", "note", "staff note", "by",
]  # fmt: skip
BOOKING_HEADER = [
    "key",
    "when",
    "booking",
    "status",
    "service",
    "date",
    "start",
    "customer",
    "whatsapp",
    "by",
]
TABS = {"order": ("Orders", ORDER_HEADER), "booking": ("Bookings", BOOKING_HEADER)}
Change = tuple[str, dict[str, Any], dict[str, Any]]  # (change id, change, order/booking document)


def _local(at: datetime, timezone: str) -> str:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def row_of(change_id: str, change: dict[str, Any], record: dict[str, Any], *, timezone: str) -> list[str]:
    """The tab row of one change (plain strings: the owner's sheet formats them)."""
    when = _local(change["at"], timezone)
    if change["kind"] == "order":
        items = "; ".join(f"{i['quantity']} × {i['name']} ({i['sku']})" for i in record.get("items", []))
        currency = str(record.get("currency") or "")
        total = str(to_decimal(int(record.get("total_minor") or 0), currency)) if currency else ""
        return [
            change_id, when, change["record_id"], change["status"], record.get("profile_name") or "",
            record.get("wa_id", ""), items, total, currency, record.get("source", ""),
            record.get("note") or "", record.get("staff_note") or "", change.get("by", ""),
        ]  # fmt: skip
    return [
        change_id, when, change["record_id"], change["status"], record.get("name", ""),
        record.get("date", ""), record.get("start", ""), record.get("profile_name") or "",
        record.get("wa_id", ""), change.get("by", ""),
    ]  # fmt: skip


def write_changes(tenant: TenantConfig, changes: Iterable[Change]) -> int:
    """Append the rows of `changes` to the tenant's sheet; returns the rows added."""
    by_kind: dict[str, list[list[str]]] = {}
    for change_id, change, record in changes:
        by_kind.setdefault(change["kind"], []).append(
            row_of(change_id, change, record, timezone=tenant.timezone)
        )
    written = 0
    for kind, rows in by_kind.items():
        tab, header = TABS[kind]
        if tenant.source_kind == "file":
            written += _append_csv(_csv_path(tenant.source_location, kind), header, rows)
        else:
            written += _append_tab(tenant.source_location, tab, header, rows)
    return written


def _csv_path(source: str, kind: str) -> Path:
    path = Path(source)
    return path.with_name(f"{path.stem}.{kind}s.csv")


def _append_csv(path: Path, header: list[str], rows: list[list[str]]) -> int:
    try:
        seen = set()
        if path.exists():
            with path.open(newline="", encoding="utf-8") as f:
                seen = {r[0] for r in csv.reader(f) if r}
        fresh = [r for r in rows if r[0] not in seen]
        if not fresh:
            return 0
        with path.open("a", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            if not seen:
                writer.writerow(header)
            writer.writerows(fresh)
    except OSError as exc:
        raise TransientError(f"cannot write {path.name}: {exc.strerror}") from exc
    return len(fresh)


def _append_tab(spreadsheet_id: str, title: str, header: list[str], rows: list[list[str]]) -> int:
    import requests
    from gspread.exceptions import APIError, SpreadsheetNotFound, WorksheetNotFound
    from gspread.utils import ValueInputOption

    from shared.sheets.gsheets_client import is_retryable

    try:
        book = sheets_writer().open_by_key(spreadsheet_id)
        try:
            sheet = book.worksheet(title)
            seen = set(sheet.col_values(1))
        except WorksheetNotFound:
            sheet = book.add_worksheet(title, rows=1000, cols=len(header))
            seen = set()
        fresh = [r for r in rows if r[0] not in seen]
        if fresh:
            sheet.append_rows(([header] if not seen else []) + fresh, value_input_option=ValueInputOption.raw)
        return len(fresh)
    except (SpreadsheetNotFound, PermissionError) as error:
        raise PermanentError(
            f"writing the {title} tab: the sheet is missing or not shared with the service account"
        ) from error
    except APIError as error:
        if error.code in (401, 403, 404) and not is_retryable(error):
            raise PermanentError(
                f"writing the {title} tab: HTTP {error.code} (is the sheet shared with the service "
                "account as an Editor?)"
            ) from error
        raise TransientError(f"writing the {title} tab: HTTP {error.code}") from error
    except (requests.ConnectionError, requests.Timeout) as error:
        raise TransientError(f"writing the {title} tab: {type(error).__name__}") from error


def sheets_writer() -> gspread.Client:
    from shared.sheets.gsheets_client import gspread_writer

    return gspread_writer()
