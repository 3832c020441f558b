"""What a rule reports, and the stable alert id derived from it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "critical"]
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Finding:
    """A condition that holds now, for one subject (a SKU, a sheet, a provider, the tenant)."""

    type: str
    subject: str
    severity: Severity
    title: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable for the same condition and subject: the same key is the same alert."""
        return f"{self.type}:{self.subject}"

    @property
    def alert_id(self) -> str:
        return alert_id_for(self.key)


def alert_id_for(key: str) -> str:
    """A readable Firestore document id for an alert key (a hash suffix keeps it unique)."""
    slug = _UNSAFE.sub("-", key.replace(":", ".")).strip(".-")[:80]
    if slug == key.replace(":", "."):
        return slug
    return f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"
