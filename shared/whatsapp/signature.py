"""Webhook signatures: Meta's `X-Hub-Signature-256` and Twilio's `X-Twilio-Signature`.

Both are checked in constant time. Meta signs the raw body bytes exactly as received; never
re-serialise the JSON before checking.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def meta_signature(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header value Meta sends for `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_signature_valid(body: bytes, header: str, app_secret: str) -> bool:
    """True when `header` is the HMAC-SHA256 of the raw `body` with the app secret."""
    return hmac.compare_digest(meta_signature(body, app_secret).encode(), header.strip().encode())


def twilio_signature(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """Twilio's signature: base64 HMAC-SHA1 of the URL followed by each sorted key and its value."""
    data = url + "".join(key + params[key] for key in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(url: str, params: Mapping[str, str], header: str, auth_token: str) -> bool:
    return hmac.compare_digest(twilio_signature(url, params, auth_token).encode(), header.strip().encode())
