"""One poll of a tenant's sheet: cheap version check, read, diff by row hash, write only what
changed, record the state, publish `catalog-changes`.

    poll_tenant("demo") -> PollResult(rows=52, valid=50, invalid=2, written=..., ...)

The decision to read is a pure function, `plan_poll(state, version, now) -> PollPlan`: a new
version, new settings, a switched sheet or a push read the sheet; so does a sheet with slots
once a slot's time or the tenant's midnight has passed, so that weekly slots roll forward and
past slots disappear at their time even on a sheet nobody edits. Otherwise an unchanged sheet
costs one sheet_state read, one metadata call and no writes (a heartbeat write at most every 10
minutes keeps `last_checked_at`, and so freshness, current).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from shared.catalog import documents
from shared.catalog.columns import HeaderMap, map_headers
from shared.catalog.diff import DiffResult, diff_rows
from shared.catalog.freshness import assess
from shared.catalog.info import InfoDiff, diff_info, info_doc, read_info
from shared.catalog.rows import Context
from shared.catalog.safety import header_anomaly, shrink_anomaly
from shared.catalog.words import language_of, locale_for
from shared.clients import firestore_client
from shared.errors import TransientError, WacrmError
from shared.events import MAX_SKUS_PER_CHANGE, CatalogChange, StatusChange
from shared.log import get_logger, log_event
from shared.pubsub import publish
from shared.settings import get_settings
from shared.sheets.sources import SheetSource, SourceVersion, open_source
from shared.sheets.state import load_rows, shard_of, shard_writes, state_ref
from shared.sheets.writer import Write, commit
from shared.storage import tenant_collection, tenant_ref, utcnow
from shared.tenants import TenantConfig, get_tenant

logger = get_logger(__name__)
HEARTBEAT = timedelta(minutes=10)
MAX_ANOMALIES = 10


class PollResult(BaseModel):
    """What one poll did; `model_dump_json()` is what `poll --json` and the seed print."""

    tenant_id: str
    sheet_id: str = ""
    poll_id: str = ""
    source: str = ""
    reason: str = "manual"
    version: str | None = None
    skipped: bool = Field(default=False, description="version unchanged: nothing read")
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    written: int = 0
    unchanged: int = 0
    changed: int = 0
    removed: int = 0
    issues: int = 0
    anomaly: str | None = None
    error: str | None = None
    published: bool = False
    duration_ms: float = 0.0
    phases_ms: dict[str, float] = Field(default_factory=dict)


def _fingerprint(config: TenantConfig) -> str:
    """Settings that change how rows are interpreted: a change re-interprets every row."""
    key = (
        f"{config.currency}|{config.low_stock_threshold}|{config.worksheet}|{config.source}"
        f"|{config.locale}|{config.timezone}"
    )
    return hashlib.sha1(key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class PollState:
    """What the decision to read needs: the last poll's record and this poll's settings."""

    version: str | None = None  # the version the last read saw
    fingerprint: str | None = None  # the settings the last read used
    current_fingerprint: str = ""
    switched_from: str | None = None  # the sheet the catalog was built from, when another
    force: bool = False  # a push or an owner's "poll now"
    slots_next_at: datetime | None = None  # when the next slot passes (or the tenant's day ends)
    slots_salt: str = ""  # the moment slot rows were last resolved

    @classmethod
    def from_meta(
        cls, meta: dict[str, Any], *, fingerprint: str, switched_from: str | None, force: bool
    ) -> PollState:
        return cls(
            version=meta.get("version"),
            fingerprint=meta.get("config"),
            current_fingerprint=fingerprint,
            switched_from=switched_from,
            force=force,
            slots_next_at=meta.get("slots_next_at"),
            slots_salt=str(meta.get("slots_salt") or ""),
        )


@dataclass(frozen=True)
class PollPlan:
    """Whether to read the sheet and how to interpret it."""

    read: bool
    reason: Literal["forced", "switched", "first", "changed", "settings", "slots", "unchanged"]
    full: bool = False  # re-interpret every row (settings changed, sheet switched)
    slots_salt: str = ""  # rows with slots are re-interpreted when this changes


def plan_poll(state: PollState, version: str, now: datetime) -> PollPlan:
    """Decide one poll (pure): read or not, why, and how. `now` is aware."""
    rolled = state.slots_next_at is not None and now >= state.slots_next_at
    salt = now.isoformat(timespec="minutes") if rolled or not state.slots_salt else state.slots_salt
    full = bool(state.switched_from) or (
        state.fingerprint is not None and state.fingerprint != state.current_fingerprint
    )
    if state.switched_from:
        return PollPlan(True, "switched", full=True, slots_salt=salt)
    if state.version is None:
        return PollPlan(True, "first", full=False, slots_salt=salt)
    if state.fingerprint != state.current_fingerprint:
        return PollPlan(True, "settings", full=full, slots_salt=salt)
    if state.force:
        return PollPlan(True, "forced", full=False, slots_salt=salt)
    if state.version != version:
        return PollPlan(True, "changed", full=False, slots_salt=salt)
    if rolled:
        return PollPlan(True, "slots", full=False, slots_salt=salt)
    return PollPlan(False, "unchanged", slots_salt=salt)


def tenant_zone(config: TenantConfig) -> ZoneInfo:
    """The tenant's time zone (UTC when its name is unknown)."""
    try:
        return ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reading_context(config: TenantConfig, header: HeaderMap, now: datetime, slots_salt: str) -> Context:
    """How to read the cells: the tenant's locale, unless the headers are in another language
    (a tenant left at en-US whose sheet says Produto | Preço reads 1.000 as a Brazilian would)."""
    locale = config.locale
    if header.language and header.language != language_of(locale) and language_of(locale) == "en":
        locale = locale_for(header.language, config.currency)
    local = now.astimezone(tenant_zone(config)).replace(tzinfo=None)
    return Context(
        currency=config.currency,
        low_stock_threshold=config.low_stock_threshold,
        today=local.date(),
        locale=locale,
        language=header.language or language_of(locale),
        now=local,
        slot_epoch=slots_salt,
    )


def next_slot_boundary(
    diff: DiffResult, *, previous: datetime | None, ctx: Context, zone: ZoneInfo, now: datetime
) -> datetime | None:
    """When slot rows must be read again: the earliest upcoming slot start among the rows just
    interpreted, the previous boundary if still ahead, and the tenant's next midnight (weekday
    names and `tomorrow` change meaning then). None when the sheet has no slots."""
    starts = [s.starts_at.replace(tzinfo=zone) for item in diff.to_write for s in item.slots]
    if not starts and not diff.slot_rows:
        return None
    assert ctx.now is not None
    midnight = datetime.combine(ctx.now.date() + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    candidates = [*starts, midnight]
    if previous is not None and previous > now:
        candidates.append(previous)
    return min(candidates).astimezone(UTC)


class _Timer:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started
        self.phases: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round((now - self.last) * 1000, 1)
        self.last = now

    def total(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)


def poll_tenant(
    tenant_id: str,
    *,
    force: bool = False,
    accept_shrink: bool = False,
    reason: str = "manual",
    source: SheetSource | None = None,
    now: datetime | None = None,
) -> PollResult:
    """Poll the tenant's sheet now. `force` skips the version check (the push path);
    `accept_shrink` applies a read the no-wipe rule would hold back (the owner confirmed it);
    `now` is the clock (default: the current time)."""
    timer = _Timer()
    now = now or utcnow()
    config = get_tenant(tenant_id, fresh=True)
    source = source or open_source(config)
    result = PollResult(
        tenant_id=tenant_id,
        sheet_id=source.sheet_id,
        poll_id=uuid.uuid4().hex[:16],
        source=source.description,
        reason=reason,
    )
    ref = state_ref(tenant_id, source.sheet_id)
    meta: dict[str, Any] = ref.get().to_dict() or {}
    _publish_pending(ref, meta)
    # The tenant pointed its source at another sheet: the catalog was built from that one, so
    # this read is diffed against it (its rows not here are removed) and every row is rewritten.
    last_sheet = config.catalog_sheet_id
    switched_from = last_sheet if last_sheet not in (None, source.sheet_id) else None
    state = PollState.from_meta(
        meta, fingerprint=_fingerprint(config), switched_from=switched_from, force=force
    )
    timer.lap("state")
    try:
        version = source.version()
        timer.lap("version")
        result.version = version.version
        plan = plan_poll(state, version.version, now)
        if not plan.read:
            return _unchanged(result, ref, meta, now, timer)
        table = source.read()
        timer.lap("read")
    except WacrmError as exc:
        return _read_failed(result, config, ref, meta, now, exc, timer)

    header = map_headers(table.headers, language=language_of(config.locale))
    anomaly = header_anomaly(header.missing, header.suggestions)
    if anomaly is None and not accept_shrink:
        anomaly = shrink_anomaly(rows=len(table.rows), last_good_rows=int(meta.get("good_rows", 0)))
    if anomaly is not None:
        return _hold_back(result, ref, meta, version, len(table.rows), anomaly, now, timer)

    own_previous = load_rows(tenant_id, source.sheet_id) if meta else {}
    previous = load_rows(tenant_id, switched_from) if switched_from else own_previous
    timer.lap("load_hashes")
    ctx = reading_context(config, header, now, plan.slots_salt)
    diff = diff_rows(table.rows, header, previous, ctx, full=plan.full)
    if not accept_shrink and not switched_from:
        anomaly = shrink_anomaly(
            rows=diff.valid, last_good_rows=int(meta.get("good_valid", 0)), what="valid rows"
        )
        if anomaly is not None:
            return _hold_back(result, ref, meta, version, len(table.rows), anomaly, now, timer)
    timer.lap("diff")
    result.rows, result.valid, result.invalid, result.unchanged = (
        diff.rows,
        diff.valid,
        diff.invalid,
        diff.unchanged,
    )
    result.changed, result.removed = len(diff.to_write), len(diff.removed_skus)
    result.issues = diff.invalid

    info = diff_info(read_info(table.info or []), dict(meta.get("info_hashes") or {}))
    slots_next_at = next_slot_boundary(
        diff, previous=state.slots_next_at, ctx=ctx, zone=tenant_zone(config), now=now
    )
    status_changes: list[StatusChange] = []
    writes = chain(
        _catalog_writes(
            tenant_id,
            source.sheet_id,
            diff,
            now,
            status_changes,
            first_import=not previous,
            low_stock_threshold=config.low_stock_threshold,
        ),
        _info_writes(tenant_id, source.sheet_id, info, now),
    )
    changed = bool(diff.to_write or diff.removed_skus or diff.issues_to_write or diff.issue_ids_to_delete)
    changed_info = bool(info.to_write or info.to_delete)
    bookkeeping: list[Write] = [
        (r, d, False) for r, d in shard_writes(tenant_id, source.sheet_id, own_previous, diff.state)
    ]
    if config.catalog_sheet_id != source.sheet_id:
        bookkeeping.append((tenant_ref(tenant_id), {"catalog_sheet_id": source.sheet_id}, True))
    if (
        changed
        or changed_info
        or bookkeeping
        or meta.get("version") != version.version
        or plan.reason == "slots"
        or _heartbeat_due(meta, now)
    ):
        record = _state_doc(config, source, version, diff, meta, now, changed, result, header)
        record |= {
            "locale": ctx.locale,
            "slots_next_at": slots_next_at,
            "slots_salt": plan.slots_salt,
            "info_hashes": info.hashes,
            "info_topics": len(info.hashes),
            "last_read_reason": plan.reason,
        }
        bookkeeping.append((ref, record, False))
    result.written = commit(writes, bookkeeping)
    timer.lap("write")
    if changed:
        skus = [i.row.sku for i in diff.to_write if i.row is not None]
        result.published = _publish(
            ref,
            CatalogChange(
                tenant_id=tenant_id,
                sheet_id=source.sheet_id,
                poll_id=result.poll_id,
                changed_skus=skus[:MAX_SKUS_PER_CHANGE],
                removed_skus=diff.removed_skus[:MAX_SKUS_PER_CHANGE],
                status_changes=status_changes[:MAX_SKUS_PER_CHANGE],
                truncated=max(len(skus), len(diff.removed_skus), len(status_changes)) > MAX_SKUS_PER_CHANGE,
            ),
        )
        timer.lap("publish")
    return _finish(result, timer)


def _catalog_writes(
    tenant_id: str,
    sheet_id: str,
    diff: DiffResult,
    now: datetime,
    changes: list[StatusChange],
    *,
    first_import: bool,
    low_stock_threshold: int = 0,
) -> Iterator[Write]:
    """The catalog, availability, slot and issue writes of a diff, generated lazily; the status
    changes are appended to `changes` as they are found."""
    client = firestore_client()
    catalog = tenant_collection(tenant_id, "catalog")
    availability = tenant_collection(tenant_id, "availability")
    slots_col = tenant_collection(tenant_id, "slots")
    issues_col = tenant_collection(tenant_id, "validation_issues")
    rows = [i for i in diff.to_write if i.row is not None]
    previous_availability: dict[str, dict[str, Any]] = {}
    previous_slots: dict[str, dict[str, dict[str, Any]]] = {}
    if not first_import:
        refs = [availability.document(i.row.sku) for i in rows if i.row is not None]
        refs += [availability.document(sku) for sku in diff.removed_skus]
        for snap in client.get_all(refs) if refs else []:
            if snap.exists:
                previous_availability[snap.id] = snap.to_dict() or {}
        services = [i.row.sku for i in rows if i.row is not None and i.row.kind == "service"]
        previous_slots = _slots_of(slots_col, services + diff.removed_skus)

    for item in rows:
        row = item.row
        assert row is not None
        before = previous_availability.get(row.sku)
        old_slots = previous_slots.get(row.sku, {})
        yield catalog.document(row.sku), documents.catalog_doc(row, sheet_id=sheet_id, now=now), False
        doc = documents.availability_doc(
            row,
            previous=before,
            slots=item.slots,
            now=now,
            low_stock_threshold=low_stock_threshold,
            previous_slots=old_slots,
        )
        # Merged: `reserved` (and slots' `booked_ours`) belong to the commerce transactions.
        if doc is not None:
            yield (availability.document(row.sku), doc, True)
        old_status = before.get("status") if before else None
        new_status = doc["status"] if doc is not None else old_status
        if old_status != new_status:
            changes.append(StatusChange(sku=row.sku, old=old_status, new=new_status or row.status))
        new_ids = set()
        for slot in item.slots:
            new_ids.add(slot.slot_id)
            slot_data = documents.slot_doc(slot, name=row.name, previous=old_slots.get(slot.slot_id), now=now)
            if slot_data is not None:
                yield (slots_col.document(slot.slot_id), slot_data, True)
        yield from ((slots_col.document(sid), None, False) for sid in old_slots.keys() - new_ids)
    for sku in diff.removed_skus:
        yield (catalog.document(sku), documents.removed_catalog_doc(now), True)
        yield (availability.document(sku), documents.removed_availability_doc(now), True)
        yield from ((slots_col.document(sid), None, False) for sid in previous_slots.get(sku, {}))
        old_status = previous_availability.get(sku, {}).get("status")
        if old_status != "out":
            changes.append(StatusChange(sku=sku, old=old_status, new="out"))
    for issue in diff.issues_to_write:
        yield (
            issues_col.document(issue.issue_id),
            documents.issue_doc(issue, sheet_id=sheet_id, now=now),
            False,
        )
    yield from ((issues_col.document(issue_id), None, False) for issue_id in diff.issue_ids_to_delete)


def _info_writes(tenant_id: str, sheet_id: str, info: InfoDiff, now: datetime) -> Iterator[Write]:
    """`info/{topic_id}` documents whose text changed, and deletes for topics gone from the tab."""
    collection = tenant_collection(tenant_id, "info")
    for entry in info.to_write:
        yield collection.document(entry.topic_id), info_doc(entry, sheet_id=sheet_id, now=now), False
    yield from ((collection.document(topic_id), None, False) for topic_id in info.to_delete)


def _slots_of(slots_col: Any, skus: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    from google.cloud.firestore_v1.base_query import FieldFilter

    found: dict[str, dict[str, dict[str, Any]]] = {}
    for start in range(0, len(skus), 30):  # Firestore's "in" takes at most 30 values
        query = slots_col.where(filter=FieldFilter("sku", "in", skus[start : start + 30]))
        for snap in query.stream():
            data = snap.to_dict() or {}
            found.setdefault(data.get("sku", ""), {})[snap.id] = data
    return found


def _heartbeat_due(meta: dict[str, Any], now: datetime) -> bool:
    """Confirm freshness at most every 10 minutes, and at once after a failure or staleness."""
    last = meta.get("last_checked_at")
    recovering = bool(meta.get("stale") or meta.get("last_error") or meta.get("consecutive_failures"))
    return last is None or now - last >= HEARTBEAT or recovering


def _state_doc(
    config: TenantConfig,
    source: SheetSource,
    version: SourceVersion,
    diff: DiffResult,
    meta: dict[str, Any],
    now: datetime,
    changed: bool,
    result: PollResult,
    header: HeaderMap,
) -> dict[str, Any]:
    return {
        "sheet_id": source.sheet_id,
        "source": source.description,
        "version": version.version,
        "modified_time": version.modified_time,
        "config": _fingerprint(config),
        "last_poll_at": now,
        "last_attempt_at": now,
        "last_poll_id": result.poll_id,
        "last_checked_at": now,
        "last_change_at": now if changed else meta.get("last_change_at"),
        "row_count": diff.rows,
        "good_rows": diff.rows,
        "good_valid": diff.valid,
        "valid": diff.valid,
        "invalid": diff.invalid,
        "columns": sorted(header.positions),
        "unknown_columns": header.described_unknown(),
        "language": header.language,
        "shards": len({shard_of(n) for n in diff.state}),
        "stale": False,
        "stale_after_minutes": config.alert_thresholds.stale_after_minutes,
        "anomaly": None,
        "anomalies": meta.get("anomalies", []),
        "pending_changes": meta.get("pending_changes", []),
        "last_error": None,
        "last_error_at": meta.get("last_error_at"),
        "consecutive_failures": 0,
    }


def _unchanged(
    result: PollResult, ref: Any, meta: dict[str, Any], now: datetime, timer: _Timer
) -> PollResult:
    result.skipped = True
    result.rows = int(meta.get("row_count", 0))
    result.valid, result.invalid = int(meta.get("valid", 0)), int(meta.get("invalid", 0))
    result.unchanged = result.rows
    result.anomaly = meta.get("anomaly")
    if _heartbeat_due(meta, now):
        ref.update(
            {
                "last_checked_at": now, "last_poll_at": now, "last_attempt_at": now, "stale": False,
                "last_error": None, "consecutive_failures": 0,
            }
        )  # fmt: skip
        result.written = 1
    return _finish(result, timer)


def _hold_back(
    result: PollResult,
    ref: Any,
    meta: dict[str, Any],
    version: SourceVersion,
    rows: int,
    anomaly: str,
    now: datetime,
    timer: _Timer,
) -> PollResult:
    """The no-wipe rule: keep the catalog, record the anomaly, tell alerts (once per anomaly)."""
    anomalies = [*meta.get("anomalies", []), {"at": now, "problem": anomaly, "rows": rows}][-MAX_ANOMALIES:]
    ref.set(
        {
            "version": version.version,
            "last_attempt_at": now,
            "anomaly": anomaly,
            "anomalies": anomalies,
            "last_read_rows": rows,
        },
        merge=True,
    )
    result.anomaly, result.rows, result.written = anomaly, rows, 1
    log_event(
        logger, 30, "sheet read held back", tenant=result.tenant_id, sheet=result.sheet_id, anomaly=anomaly
    )
    if meta.get("anomaly") != anomaly:
        result.published = _publish(
            ref,
            CatalogChange(
                tenant_id=result.tenant_id, sheet_id=result.sheet_id, poll_id=result.poll_id, anomaly=anomaly
            ),
        )
    return _finish(result, timer)


def _read_failed(
    result: PollResult,
    config: TenantConfig,
    ref: Any,
    meta: dict[str, Any],
    now: datetime,
    exc: WacrmError,
    timer: _Timer,
) -> PollResult:
    """Record the failure and freshness; publish `read_failed` on the first failure of a streak."""
    failures = int(meta.get("consecutive_failures", 0)) + 1
    freshness = assess(
        meta.get("last_checked_at"), now=now, stale_after_minutes=config.alert_thresholds.stale_after_minutes
    )
    ref.set(
        {
            "last_attempt_at": now,
            "last_error": str(exc)[:500],
            "last_error_at": now,
            "last_error_kind": "transient" if isinstance(exc, TransientError) else "permanent",
            "consecutive_failures": failures,
            "stale": freshness.stale,
            "source": result.source,
        },
        merge=True,
    )
    result.error, result.written = str(exc), 1
    log_event(logger, 40, "sheet read failed", tenant=result.tenant_id, sheet=result.sheet_id, error=str(exc))
    if failures == 1:
        result.published = _publish(
            ref,
            CatalogChange(
                tenant_id=result.tenant_id, sheet_id=result.sheet_id, poll_id=result.poll_id, read_failed=True
            ),
        )
    return _finish(result, timer)


def _publish(ref: Any, change: CatalogChange) -> bool:
    """Publish `change`; if Pub/Sub fails, keep it in `sheet_state.pending_changes` so that the
    next poll publishes it (the state is already saved: that poll would otherwise see nothing
    new, and a back-in-stock notice would be lost)."""
    from google.cloud import firestore

    try:
        publish(get_settings().topic_catalog_changes, change)
    except Exception as exc:  # any publish failure: kept and retried by the next poll
        log_event(logger, 40, "catalog-changes publish failed", tenant=change.tenant_id, error=str(exc))
        ref.set({"pending_changes": firestore.ArrayUnion([change.model_dump(mode="json")])}, merge=True)
        return False
    return True


def _publish_pending(ref: Any, meta: dict[str, Any]) -> None:
    """Publish the changes an earlier poll could not, then forget them."""
    from google.cloud import firestore

    pending = meta.get("pending_changes") or []
    if not pending:
        return
    try:
        for change in pending:
            publish(get_settings().topic_catalog_changes, CatalogChange.model_validate(change))
    except Exception as exc:  # still failing: they stay pending for the next poll
        log_event(logger, 40, "catalog-changes publish failed again", error=str(exc))
        return
    ref.update({"pending_changes": firestore.ArrayRemove(pending)})
    meta["pending_changes"] = []


def _finish(result: PollResult, timer: _Timer) -> PollResult:
    result.duration_ms = timer.total()
    result.phases_ms = timer.phases
    log_event(
        logger,
        20,
        "sheet polled",
        **result.model_dump(
            include={
                "tenant_id",
                "sheet_id",
                "reason",
                "skipped",
                "rows",
                "valid",
                "invalid",
                "written",
                "unchanged",
                "changed",
                "anomaly",
                "error",
                "duration_ms",
            }
        ),
    )
    return result
