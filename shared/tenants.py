"""Tenant configuration: `tenants/{tenant_id}`, one document per business.

Read through a short per-instance cache: the webhook resolves a tenant per request by its
WhatsApp phone_number_id and must not pay a Firestore query every time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator

from shared.clients import firestore_client
from shared.errors import PermanentError, TransientError
from shared.log import get_logger, log_event
from shared.storage import TENANTS, tenant_ref, utcnow

T = TypeVar("T")
logger = get_logger(__name__)

_CACHE_TTL_S = 30.0
_cache: dict[str, tuple[float, TenantConfig | None]] = {}


class ProviderPolicy(BaseModel):
    """How the LLM router chooses: a fixed order, the cheapest, or the fastest measured; when it
    skips a provider (its error rate over a sliding window); how long one reply may take."""

    strategy: Literal["order", "cost", "latency"] = "order"
    order: list[str] = Field(default_factory=lambda: ["openai", "gemini", "deepseek"])
    cooldown_s: int = Field(default=60, description="skip a failing provider this long after its last error")
    error_window_s: int = Field(default=300, description="the sliding window its error rate is taken over")
    error_rate_max: float = Field(default=0.5, description="cool down at or above this error rate…")
    min_calls: int = Field(default=3, description="…once the window holds at least this many calls")
    budget_s: float = Field(default=8.0, description="one reply's time, every provider and step included")
    spread: float = Field(default=0.2, description="providers within this share of the best are equals")


class AlertThresholds(BaseModel):
    """Per-tenant alert thresholds (see README "Alerts")."""

    stale_after_minutes: int = 120
    satisfaction_min: float = 3.5
    grounding_min: float = 0.9
    provider_error_rate_max: float = 0.2
    provider_latency_p95_ms_max: float = 5000
    webhook_failures_max: int = 5
    in_demand_min_asks: int = 3
    cooldown_minutes: int = 30
    in_demand_window_hours: int = 24
    quality_window_hours: int = 24
    satisfaction_min_ratings: int = 5
    grounding_min_replies: int = 10
    provider_min_calls: int = 10
    provider_stats_max_age_minutes: int = 60


class TenantConfig(BaseModel):
    tenant_id: str
    phone_number_id: str
    source: str = Field(description="file:PATH (CSV/XLSX) or gsheets:SPREADSHEET_ID")
    worksheet: str | None = None
    currency: str = "USD"
    locale: str = Field(
        default="en-US",
        description="BCP 47 tag (pt-BR, es-MX, fr-FR, id-ID, en-IN, en-US…): replies, dates, numbers",
    )
    low_stock_threshold: int = 5
    lead_time_days: int = 7
    timezone: str = "UTC"
    channel: Literal["sandbox", "meta", "twilio"] = "sandbox"
    business_name: str = "our shop"
    provider_policy: ProviderPolicy = Field(default_factory=ProviderPolicy)
    alert_thresholds: AlertThresholds = Field(default_factory=AlertThresholds)
    owner_wa_id: str | None = None
    messaging_tier: Literal["250", "1k", "10k", "100k", "unlimited"] = Field(
        default="1k", description="Meta's messaging limit of the number: customers per 24 h (broadcasts)"
    )
    broadcast_rate_per_s: float | None = Field(default=None, gt=0, le=80)
    notify_webhook_url: str | None = None
    catalog_sheet_id: str | None = Field(
        default=None, description="set by sheet_poller: the sheet the catalog was last built from"
    )

    @field_validator("source")
    @classmethod
    def _source_kind(cls, value: str) -> str:
        kind, _, rest = value.partition(":")
        if kind not in ("file", "gsheets") or not rest:
            raise ValueError("source must be file:PATH or gsheets:SPREADSHEET_ID")
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("currency must be an ISO 4217 code such as USD")
        return value.upper()

    @property
    def source_kind(self) -> str:
        return self.source.partition(":")[0]

    @property
    def source_location(self) -> str:
        return self.source.partition(":")[2]


def save_tenant(config: TenantConfig) -> None:
    """Create or update a tenant's settings (other fields of the document are kept)."""
    # catalog_sheet_id is the poller's record, not a setting: saving settings never resets it.
    data = config.model_dump(exclude={"catalog_sheet_id"})
    data["updated_at"] = utcnow()
    tenant_ref(config.tenant_id).set(data, merge=True)
    _cache.pop(config.tenant_id, None)


def get_tenant(tenant_id: str, *, fresh: bool = False) -> TenantConfig:
    """The tenant's settings; PermanentError if it does not exist."""
    now = time.monotonic()
    hit = _cache.get(tenant_id)
    if hit and not fresh and now - hit[0] < _CACHE_TTL_S and hit[1] is not None:
        return hit[1]
    snap = tenant_ref(tenant_id).get()
    if not snap.exists:
        raise PermanentError(f"unknown tenant {tenant_id!r}")
    config = _validate(snap.to_dict() or {}, tenant_id)
    _cache[tenant_id] = (now, config)
    return config


def _validate(data: dict, tenant_id: str) -> TenantConfig:
    """A tenant document as settings; a hand-edited, invalid one is a PermanentError naming it."""
    try:
        return TenantConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PermanentError(f"tenant {tenant_id!r} has invalid settings: {problems}") from None


def tenant_for_phone_number(phone_number_id: str) -> TenantConfig | None:
    """The tenant whose WhatsApp number has this phone_number_id, or None."""
    key = f"pnid:{phone_number_id}"
    now = time.monotonic()
    hit = _cache.get(key)
    if hit and now - hit[0] < _CACHE_TTL_S:
        return hit[1]
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = (
        firestore_client()
        .collection(TENANTS)
        .where(filter=FieldFilter("phone_number_id", "==", phone_number_id))
        .limit(1)
    )
    docs = list(query.stream())
    config = _validate(docs[0].to_dict() or {}, docs[0].id) if docs else None
    _cache[key] = (now, config)
    return config


def tenant_ids() -> list[str]:
    """Every tenant's id."""
    return [snap.id for snap in firestore_client().collection(TENANTS).select(["tenant_id"]).stream()]


def for_each_tenant(tenant_id: str | None, action: Callable[[str], T], *, what: str) -> list[T]:
    """Run `action` for `tenant_id`, or for every tenant, so that one tenant's failure never stops
    the others: a permanent one (bad settings, unknown tenant) is logged and skipped; transient
    ones are raised together at the end, so that Pub/Sub retries the tick."""
    results: list[T] = []
    transient: list[str] = []
    for tid in [tenant_id] if tenant_id else tenant_ids():
        try:
            results.append(action(tid))
        except PermanentError as exc:
            log_event(logger, 40, f"{what} skipped", tenant_id=tid, error=str(exc))
        except TransientError as exc:
            log_event(logger, 30, f"{what} failed, will retry", tenant_id=tid, error=str(exc))
            transient.append(tid)
    if transient:
        raise TransientError(f"{what} failed for {len(transient)} tenant(s): {', '.join(transient)}")
    return results
