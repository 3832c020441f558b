"""The Apps Script `onEdit` push: a signed "poll this tenant now" request.

Header format (like Stripe's):

    X-Sheet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(shop's push secret, "<t>.<raw body>")>

The body is JSON: `{"tenant": "demo", "edited_rows": [12], "event_id": "..."}` (`edited_rows`
is informational). Each shop has its own push secret (`python -m shared.cli tenant push-secret
T`, created on first use, kept in `push_secrets/{T}`, a top-level collection no browser may
read), so one shop's Apps Script can never poll another shop. The signature is checked in
constant time over the raw bytes as received, with the secret of the shop the body names; a
wrong secret and an unknown shop get the same 401 (shop names cannot be enumerated). A
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
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from pydantic import BaseModel, Field, ValidationError, field_validator

from shared.clients import firestore_client
from shared.errors import BadRequest, PermanentError
from shared.messaging.safety import check_document_id
from shared.sheets.poll import PollResult, poll_tenant
from shared.storage import tenant_collection, utcnow
from shared.tenants import get_tenant

SIGNATURE_HEADER = "X-Sheet-Signature"
MAX_SKEW_S = 300
MAX_BODY_BYTES = 64 * 1024
_HEADER_RE = re.compile(r"^t=(?P<t>\d{1,12}),v1=(?P<sig>[0-9a-f]{64})$")
SECRETS = "push_secrets"  # top level: outside tenants/{T}, which staff may read
# Checked against when the shop is unknown, so that the answer and its timing match a wrong secret.
_UNKNOWN_SHOP_SECRET = secrets.token_hex(32)
REFUSED = "bad signature or unknown shop"


class PushRequest(BaseModel):
    tenant: str = Field(min_length=1, max_length=100, pattern=r"^[^/]+$")

    @field_validator("tenant")
    @classmethod
    def _document_id(cls, value: str) -> str:
        return check_document_id(value)

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


def push_secret(tenant_id: str, *, rotate: bool = False) -> str:
    """The shop's push secret, created on first use (or replaced, with `rotate`).

    PermanentError for an unknown shop: a secret exists only for a shop that exists.
    """
    from google.api_core.exceptions import AlreadyExists

    get_tenant(tenant_id, fresh=True)
    ref = firestore_client().collection(SECRETS).document(tenant_id)
    fresh = {"secret": secrets.token_urlsafe(32), "created_at": utcnow()}
    if rotate:
        ref.set(fresh)
        return str(fresh["secret"])
    try:
        ref.create(fresh)
        return str(fresh["secret"])
    except AlreadyExists:
        return str((ref.get().to_dict() or {})["secret"])


def stored_secret(tenant_id: str) -> str | None:
    """The shop's push secret if one was ever created."""
    snap = firestore_client().collection(SECRETS).document(tenant_id).get()
    secret = (snap.to_dict() or {}).get("secret") if snap.exists else None
    return str(secret) if secret else None


def _now(tenant_id: str, poll: Callable[[], PollResult]) -> PollResult:
    return poll()


def handle_push(
    body: bytes,
    signature_header: str | None,
    *,
    guard: Callable[[str, Callable[[], PollResult]], PollResult] = _now,
) -> PollResult:
    """Verify with the named shop's secret, refuse replays, then poll the shop now; `guard` runs
    that poll (the entry point passes the scheduler's lease, shared.scheduling.shop)."""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("body too large", 413)
    try:
        request = PushRequest.model_validate_json(body)
    except ValidationError as exc:
        raise BadRequest(f"malformed push body: {exc.errors()[0]['msg']}", 400) from None
    secret = stored_secret(request.tenant)
    try:
        signature = verify(body, signature_header, secret or _UNKNOWN_SHOP_SECRET)
    except BadRequest as exc:
        raise BadRequest(REFUSED if exc.reason == "bad signature" else exc.reason, 401) from None
    if secret is None:  # unreachable unless the random secret was guessed; never poll then
        raise BadRequest(REFUSED, 401)
    from google.api_core.exceptions import AlreadyExists

    try:
        get_tenant(request.tenant)
    except PermanentError:
        raise BadRequest(REFUSED, 401) from None  # the shop was deleted after its secret was made
    now = utcnow()
    try:
        # Kept an hour (a TTL policy on expires_at cleans up); the timestamp window is 5 minutes.
        tenant_collection(request.tenant, "sheet_pushes").document(signature).create(
            {"at": now, "expires_at": now + timedelta(hours=1), "edited_rows": request.edited_rows}
        )
    except AlreadyExists:
        raise BadRequest("replayed request", 409) from None
    return guard(request.tenant, lambda: poll_tenant(request.tenant, force=True, reason="push"))
