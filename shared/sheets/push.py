"""The Apps Script `onEdit` push: a signed "poll this tenant now" request.

Header format (like Stripe's):

    X-Sheet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(SHEET_PUSH_SECRET, "<t>.<raw body>")>

The body is JSON: `{"tenant": "demo", "edited_rows": [12], "event_id": "..."}` (`edited_rows`
is informational). The signature is checked in constant time over the raw bytes as received; a
timestamp more than 5 minutes off is refused, and each signature is accepted once (a Firestore
`create()` on `sheet_pushes/{signature}`), so a captured request cannot be replayed.

Why "poll now" rather than carrying the edited values: the poll re-reads the sheet, so the
catalog can never drift from what the sheet says (duplicates, deleted rows, moved rows, the
no-wipe rule all keep working), and a forged or reordered push can at worst cause a read. It
skips the Drive version check (the edit may not be visible in `version` yet) and writes only
the rows whose hashes changed, which keeps edit -> Firestore well under a second.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from datetime import timedelta

from pydantic import BaseModel, Field, ValidationError

from shared.errors import BadRequest
from shared.settings import require
from shared.sheets.poll import PollResult, poll_tenant
from shared.storage import tenant_collection, utcnow
from shared.tenants import get_tenant

SIGNATURE_HEADER = "X-Sheet-Signature"
MAX_SKEW_S = 300
MAX_BODY_BYTES = 64 * 1024
_HEADER_RE = re.compile(r"^t=(?P<t>\d{1,12}),v1=(?P<sig>[0-9a-f]{64})$")


class PushRequest(BaseModel):
    tenant: str = Field(min_length=1, max_length=100, pattern=r"^[^/]+$")
    edited_rows: list[int] = Field(default_factory=list, max_length=1000)
    event_id: str | None = Field(default=None, max_length=200)


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The header value for `body` (what the Apps Script snippet computes)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def verify(body: bytes, header: str | None, secret: str, *, now: float | None = None) -> str:
    """The signature hex if `header` signs `body` within the time window; BadRequest(401) if not."""
    if not header:
        raise BadRequest(f"missing {SIGNATURE_HEADER} header", 401)
    match = _HEADER_RE.match(header.strip())
    if not match:
        raise BadRequest(f"malformed {SIGNATURE_HEADER} header (expected t=<unix>,v1=<hex>)", 401)
    expected = sign(body, secret, timestamp=int(match["t"])).partition(",v1=")[2]
    if not hmac.compare_digest(expected, match["sig"]):
        raise BadRequest("bad signature", 401)
    if abs((time.time() if now is None else now) - int(match["t"])) > MAX_SKEW_S:
        raise BadRequest("signature timestamp outside the 5-minute window", 401)
    return match["sig"]


def _now(tenant_id: str, poll: Callable[[], PollResult]) -> PollResult:
    return poll()


def handle_push(
    body: bytes,
    signature_header: str | None,
    *,
    guard: Callable[[str, Callable[[], PollResult]], PollResult] = _now,
) -> PollResult:
    """Verify, refuse replays, then poll the tenant now (skipping the version check); `guard`
    runs that poll (the entry point passes the scheduler's lease, shared.scheduling.shop)."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("body too large", 413)
    signature = verify(body, signature_header, require("sheet_push_secret"))
    try:
        request = PushRequest.model_validate_json(body)
    except ValidationError as exc:
        raise BadRequest(f"malformed push body: {exc.errors()[0]['msg']}", 400) from None
    from google.api_core.exceptions import AlreadyExists

    get_tenant(request.tenant)  # unknown tenant: PermanentError (404), before anything is written
    now = utcnow()
    try:
        # Kept an hour (a TTL policy on expires_at cleans up); the timestamp window is 5 minutes.
        tenant_collection(request.tenant, "sheet_pushes").document(signature).create(
            {"at": now, "expires_at": now + timedelta(hours=1), "edited_rows": request.edited_rows}
        )
    except AlreadyExists:
        raise BadRequest("replayed request", 409) from None
    return guard(request.tenant, lambda: poll_tenant(request.tenant, force=True, reason="push"))
