"""What the rules read about a tenant, each collection read at most once per evaluation."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from shared.analytics.delta import Delta, apply_delta
from shared.analytics.periods import recent_hours
from shared.clients import firestore_client
from shared.events import CatalogChange
from shared.storage import tenant_collection
from shared.tenants import TenantConfig

# Summed over an analytics window: the rules use these fields of the hour documents.
_WINDOW_FIELDS = (
    "ratings",
    "rating_sum",
    "sentiment_count",
    "sentiment_sum",
    "replies_graded",
    "replies_grounded",
    "webhook_failures",
)
_WINDOW_MAPS = ("asked", "asked_out_of_stock")


class TenantState:
    """Lazy views of one tenant's documents at one instant (`now`)."""

    def __init__(self, tenant: TenantConfig, now: datetime, change: CatalogChange | None = None) -> None:
        self.tenant = tenant
        self.now = now
        self.change = change

    def _docs(self, name: str) -> dict[str, dict[str, Any]]:
        return {s.id: s.to_dict() or {} for s in tenant_collection(self.tenant.tenant_id, name).stream()}

    @cached_property
    def availability(self) -> dict[str, dict[str, Any]]:
        return self._docs("availability")

    @cached_property
    def sheet_states(self) -> dict[str, dict[str, Any]]:
        return self._docs("sheet_state")

    @cached_property
    def poll_schedule(self) -> dict[str, Any]:
        """`schedule/poll` (shared/scheduling): when the sheet was due and how late its poll was."""
        return self._docs("schedule").get("poll", {})

    @cached_property
    def provider_stats(self) -> dict[str, dict[str, Any]]:
        return self._docs("provider_stats")

    @cached_property
    def validation_issues(self) -> list[dict[str, Any]]:
        col = tenant_collection(self.tenant.tenant_id, "validation_issues")
        return [s.to_dict() or {} for s in col.limit(200).stream()]

    def catalog_names(self, skus: list[str]) -> dict[str, str]:
        col = tenant_collection(self.tenant.tenant_id, "catalog")
        snaps = firestore_client().get_all([col.document(s) for s in skus]) if skus else []
        return {s.id: str((s.to_dict() or {}).get("name") or s.id) for s in snaps if s.exists}

    def analytics_window(self, hours: int) -> dict[str, Any]:
        """The hour documents of the last `hours` hours, summed (only the fields rules use)."""
        col = tenant_collection(self.tenant.tenant_id, "analytics")
        total = Delta()
        refs = [col.document(h) for h in recent_hours(self.now, hours)]
        for snap in firestore_client().get_all(refs):
            doc = snap.to_dict() or {} if snap.exists else {}
            for name in _WINDOW_FIELDS:
                if isinstance(doc.get(name), int | float):
                    total.add(name, doc[name])
            for name in _WINDOW_MAPS:
                for key, value in (doc.get(name) or {}).items():
                    total.add_key(name, key, value)
        return apply_delta({}, total)
