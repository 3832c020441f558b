"""Customer identity: one customer, whichever ids WhatsApp gives for them.

Since 2026 Meta's webhooks carry a business-scoped user id (BSUID, `user_id`, with a
`parent_user_id` for a business portfolio) next to the phone number (`wa_id`/`from`), and a
customer who adopted a username may arrive with no phone number at all. Twilio gives the phone
number. A conversation is therefore keyed by a stable `customer_key`, not by the phone number:

- `tenants/{T}/customer_ids/{kind}:{value}` (kinds `u` BSUID, `pu` parent BSUID, `p` phone) ->
  `{"customer_key": K}`: aliases, written with every inbound message (idempotent `set`), so ids
  seen together are linked from then on, and a changed phone number finds the customer through
  the BSUID;
- resolution reads the aliases of the ids a message carries (one `get_all`); the first found
  wins. A customer seen for the first time gets `c` + a keyed hash of their most stable id
  (BSUID before phone), so two first messages at once resolve to the same key without a
  transaction;
- migration: a phone number with no alias whose conversation exists under the old key
  (`conversations/{wa_id}`) keeps that key (it is aliased on its next message), so existing
  conversations, their history and their state keep working untouched.

Aliases never change once written, so resolutions are cached per instance. BSUIDs, usernames and
phone numbers stay in the conversation store; logs and analytics get `shared.privacy.hash_customer`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared.storage import tenant_collection

if TYPE_CHECKING:
    from google.cloud.firestore import DocumentReference

ALIASES = "customer_ids"
CACHE_SIZE = 20_000


@dataclass(frozen=True)
class CustomerIds:
    """The ids one message, status or contact carries for its customer (any may be missing)."""

    phone: str | None = None  # E.164 digits without `+` (Meta's wa_id)
    user_id: str | None = None  # BSUID, e.g. "US.13491208655302741918"
    parent_user_id: str | None = None
    username: str | None = None  # display only: usernames can change, so never a key

    def aliases(self) -> list[str]:
        """Alias document ids, most stable first."""
        out = []
        if self.user_id:
            out.append(f"u:{self.user_id}")
        if self.parent_user_id:
            out.append(f"pu:{self.parent_user_id}")
        if self.phone:
            out.append(f"p:{self.phone}")
        return out

    @property
    def recipient(self) -> str | None:
        """Where a reply goes: the phone number when known, else the BSUID."""
        return self.phone or self.user_id

    def profile(self) -> dict[str, Any]:
        """The conversation fields that describe who the customer is (absent ones left out)."""
        fields = {"wa_id": self.phone, "user_id": self.user_id, "parent_user_id": self.parent_user_id}
        fields["username"] = self.username
        return {k: v for k, v in fields.items() if v}


def new_key(tenant_id: str, ids: CustomerIds) -> str:
    """The key of a customer seen for the first time: `c` + a keyed hash of their most stable id."""
    first = ids.aliases()[0]
    salt = os.environ.get("CUSTOMER_HASH_SALT", "wacrm-local-salt").encode()
    return "c" + hmac.new(salt, f"key:{tenant_id}:{first}".encode(), hashlib.sha256).hexdigest()[:24]


class _Cache:
    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: str, alias: str) -> str | None:
        with self._lock:
            key = self._items.get((tenant_id, alias))
            if key is not None:
                self._items.move_to_end((tenant_id, alias))
            return key

    def put(self, tenant_id: str, alias: str, key: str) -> None:
        with self._lock:
            self._items[(tenant_id, alias)] = key
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)


_cache = _Cache()


def alias_ref(tenant_id: str, alias: str) -> DocumentReference:
    return tenant_collection(tenant_id, ALIASES).document(alias)


def resolve(tenant_id: str, ids: CustomerIds) -> str:
    """The customer key for these ids (existing, migrated or new). ValueError with no id at all."""
    aliases = ids.aliases()
    if not aliases:
        raise ValueError("a customer needs a phone number or a user id")
    for alias in aliases:
        cached = _cache.get(tenant_id, alias)
        if cached is not None:
            return cached
    from shared.clients import firestore_client
    from shared.messaging.safety import check_document_id

    refs = [alias_ref(tenant_id, check_document_id(a)) for a in aliases]
    legacy = tenant_collection(tenant_id, "conversations").document(ids.phone) if ids.phone else None
    snaps = {s.reference.path: s for s in firestore_client().get_all(refs + ([legacy] if legacy else []))}
    key = None
    for ref in refs:
        snap = snaps.get(ref.path)
        if snap is not None and snap.exists:
            key = str((snap.to_dict() or {}).get("customer_key"))
            break
    if key is None and legacy is not None and snaps[legacy.path].exists:
        key = ids.phone  # an existing conversation under the old phone-number key
    if key is None:
        key = new_key(tenant_id, ids)
    for alias in aliases:
        _cache.put(tenant_id, alias, key)
    return key


def link(batch: Any, tenant_id: str, ids: CustomerIds, key: str) -> None:
    """Add the alias writes for `ids` -> `key` to `batch` (idempotent)."""
    for alias in ids.aliases():
        batch.set(alias_ref(tenant_id, alias), {"customer_key": key})


def known_key(tenant_id: str, ids: CustomerIds) -> str | None:
    """The key of an already known customer (for statuses: never creates one)."""
    try:
        return resolve(tenant_id, ids) if _known(tenant_id, ids) else None
    except ValueError:
        return None


def _known(tenant_id: str, ids: CustomerIds) -> bool:
    if any(_cache.get(tenant_id, a) for a in ids.aliases()):
        return True
    from shared.clients import firestore_client

    refs = [alias_ref(tenant_id, a) for a in ids.aliases()]
    if ids.phone:
        refs.append(tenant_collection(tenant_id, "conversations").document(ids.phone))
    return any(s.exists for s in firestore_client().get_all(refs))
