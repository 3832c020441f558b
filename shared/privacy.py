"""Customer identifiers outside the conversation store: salted hashes, never phone numbers."""

from __future__ import annotations

import hashlib
import hmac
import os


def hash_customer(tenant_id: str, wa_id: str) -> str:
    """A stable, non-reversible id for a customer of a tenant (for analytics, logs and alerts)."""
    salt = os.environ.get("CUSTOMER_HASH_SALT", "wacrm-local-salt").encode()
    digest = hmac.new(salt, f"{tenant_id}:{wa_id}".encode(), hashlib.sha256).hexdigest()
    return f"c_{digest[:20]}"
