"""One sheet row -> a validated `CatalogRow`, or the reasons it was kept out.

Interpretation turns cells into typed values (shared.catalog.cells); pydantic then checks the
row as a whole. A bad cell never raises out of here: it becomes an `Issue` (row, column, value,
problem) and the row is kept out of the catalog.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator

from shared.catalog.availability import Status, service_status, stock_status
from shared.catalog.cells import CellError, parse_date, parse_flag, parse_kind, parse_price, parse_stock
from shared.catalog.columns import HeaderMap
from shared.catalog.slots import Slot, parse_slots

T = TypeVar("T")

MAX_SKU_LENGTH = 64
_SKU_RE = re.compile(r"^[^/]+$")


class Issue(BaseModel):
    """Why a row (or one of its cells) was kept out of the catalog."""

    row: int = Field(description="1-based sheet row")
    column: str
    value: str
    problem: str
    header: str | None = Field(default=None, description="the column's header as the sheet writes it")

    @property
    def issue_id(self) -> str:
        """Deterministic, so that a re-poll overwrites rather than duplicates."""
        return f"r{self.row}-{re.sub(r'[^a-z0-9]+', '_', self.column.lower()).strip('_') or 'row'}"


class CatalogRow(BaseModel):
    """A valid catalog entry, as stored in `catalog/{sku}` (plus bookkeeping fields)."""

    sku: str = Field(min_length=1, max_length=MAX_SKU_LENGTH)
    name: str = Field(min_length=1, max_length=300)
    category: str = "Uncategorized"
    price_minor: int = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    stock: int | None = Field(default=None, ge=0)
    status: Status
    active: bool = True
    kind: Literal["product", "service"] = "product"
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    restock_date: str | None = None
    source_row: int = Field(ge=1)
    content_hash: str

    @field_validator("sku")
    @classmethod
    def _doc_id_safe(cls, value: str) -> str:
        if (
            not _SKU_RE.match(value)
            or value in (".", "..")
            or (value.startswith("__") and value.endswith("__"))
        ):
            raise ValueError("SKU cannot contain '/' or be '.', '..' or __x__")
        return value


@dataclass
class Interpreted:
    """The outcome for one row: a catalog row (None when kept out), its slots and its issues."""

    row: CatalogRow | None
    slots: list[Slot] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """How to read the cells: the tenant's currency, locale and threshold, the sheet's language,
    and the tenant's local day and time (slots in the past are left out)."""

    currency: str
    low_stock_threshold: int
    today: date
    locale: str = "en-US"
    language: str | None = None
    now: datetime | None = None  # local, naive; None = the start of `today`


def slugify(text: str) -> str:
    """`"Denim Jacket (Blue)"` -> `"denim-jacket-blue"`: the SKU of a row that has none."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_SKU_LENGTH]


def clean(cell: str) -> str:
    """Stray whitespace (including non-breaking spaces) collapsed; unicode normalised (NFC)."""
    return unicodedata.normalize("NFC", " ".join(cell.replace("\u00a0", " ").split()))


def interpret_row(
    cells: list[str], header: HeaderMap, *, row_number: int, content_hash: str, ctx: Context
) -> Interpreted:
    """Interpret and validate one data row (never raises for bad data)."""
    headers = header.positions

    def cell(column: str) -> str:
        index = headers.get(column)
        return clean(cells[index]) if index is not None and index < len(cells) else ""

    issues: list[Issue] = []

    def problem(column: str, value: str, text: str) -> None:
        issues.append(
            Issue(row=row_number, column=column, value=value, problem=text, header=header.names.get(column))
        )

    name = cell("name")
    if not name:
        problem("name", "", "name is missing")
    sku = cell("sku") or slugify(name)

    def parsed(column: str, parse: Callable[[str], T], default: T) -> T:
        """`parse` of the column's cell; a bad cell is an issue and gives `default`."""
        try:
            return parse(cell(column))
        except CellError as exc:
            problem(column, cell(column), str(exc))
            return default

    price = parsed(
        "price",
        lambda v: parse_price(
            v, header_currency=header.price_currency, default_currency=ctx.currency, locale=ctx.locale
        ),
        None,
    )
    stock = parsed("stock", lambda v: parse_stock(v, locale=ctx.locale), None)
    active = parsed("active", lambda v: parse_flag(v, default=True), True)
    restock = parsed("restock_date", lambda v: parse_date(v, locale=ctx.locale, today=ctx.today), None)
    slots: list[Slot] = parsed(
        "slots",
        lambda v: (
            parse_slots(v, sku=sku, today=ctx.today, now=ctx.now, locale=ctx.locale, language=ctx.language)
            if v
            else []
        ),
        [],
    )
    # A "Tipo"/"Type" column that holds categories ("Vestido") rather than product/service.
    kind_word = parse_kind(cell("kind"))
    category = cell("category") or ("" if kind_word else cell("kind")) or "Uncategorized"
    kind: Literal["product", "service"] = "service" if slots or kind_word == "service" else "product"

    if issues or price is None or stock is None:
        return Interpreted(None, [], issues)
    if kind == "service" and stock.count is None:
        free = sum(s.free for s in slots)
        status = service_status(free, len(slots)) if active else "out"
    else:
        status = stock_status(stock.count, threshold=ctx.low_stock_threshold, hint=stock.hint, active=active)
    try:
        row = CatalogRow(
            sku=sku,
            name=name,
            category=category,
            price_minor=price.minor,
            currency=price.currency,
            stock=stock.count,
            status=status,
            active=active,
            kind=kind,
            description=cell("description"),
            tags=[t.strip() for t in re.split(r"[,;]", cell("tags")) if t.strip()],
            restock_date=restock.isoformat() if restock else None,
            source_row=row_number,
            content_hash=content_hash,
        )
    except ValidationError as exc:
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else "row"
            problem(column, cell(column) if column in headers else str(error.get("input", "")), error["msg"])
        return Interpreted(None, [], issues)
    return Interpreted(row, slots, [])
