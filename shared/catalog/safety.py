"""The no-wipe rule: a read that suddenly has far fewer rows than the last good one (a broken
sheet, a wrong tab, a half-finished paste) must not empty the catalog."""

from __future__ import annotations

MIN_GOOD_ROWS = 5
MIN_FRACTION = 0.5


def shrink_anomaly(*, rows: int, last_good_rows: int, what: str = "rows") -> str | None:
    """A reason to keep the last good catalog, or None when the read looks plausible.

    Checked on the rows read and, after validation, on the valid rows: a column of `#REF!`
    prices keeps the row count but would otherwise remove every item."""
    if last_good_rows >= MIN_GOOD_ROWS and rows < last_good_rows * MIN_FRACTION:
        return f"read {rows} {what}, last good read had {last_good_rows}: kept the last good catalog"
    return None


def header_anomaly(missing: list[str], suggestions: dict[str, str] | None = None) -> str | None:
    """`header row lacks price column(s) (is "Precco" Preço?): ...`, or None."""
    if not missing:
        return None
    hints = "; ".join(f'is "{header}" {known}?' for header, known in (suggestions or {}).items())
    hint = f" ({hints})" if hints else ""
    return f"header row lacks {', '.join(missing)} column(s){hint}: kept the last good catalog"
