"""Property-based fuzzing of the webhook (Hypothesis): the recorded Meta and Twilio payloads,
mutated (types, sizes, nesting, unicode, ids, missing and extra fields), signed, posted.

Properties, for every case:
- never a 5xx;
- a refused request (4xx) stores nothing;
- an accepted one stores each message at most once, only at `conversations/{id}/messages/{id}`,
  and only ids that the payload carried.

Meta cases go over real HTTP to the served webhook; Twilio cases through the webhook's entry
point in-process (the served stack has no Twilio auth token, so it refuses every Twilio request,
which `test_webhook_hardening` checks). `FUZZ_EXAMPLES` sets the number of Meta cases (default
2,000; `FUZZ_EXAMPLES=20000` for a longer run), a quarter of it for Twilio.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from google.cloud.firestore_v1.base_query import FieldFilter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.clients import firestore_client, reset_clients
from shared.storage import tenant_collection, utcnow
from shared.whatsapp.signature import meta_signature, twilio_signature
from tests.conftest import DATA
from tests.respond_support import SECRET, make_tenant, webhook_url

pytestmark = pytest.mark.usefixtures("emulators")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
META_BASES = sorted(p.stem for p in (DATA / "whatsapp").glob("*.json") if not p.stem.startswith("twilio"))
NASTY = [
    "",
    "__x__",
    "__name__",
    ".",
    "..",
    "a/b",
    "x/outbox/q1",
    "W/outbox/q9",
    "\ud800",
    "\udfff",
    "\x00",
    "a" * 2000,
    "wamid." + "A" * 300,
    "99999999999999999999",
    "-1",
    "1e400",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "\u202e",
    "whatsapp:+",
]
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=50)
    | st.sampled_from(NASTY)
)
JSON = st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)


def nodes(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair in `doc`, where container[key] is a node (iteratively)."""
    found: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) if isinstance(item, list) else ()
        for k, v in pairs:
            found.append((item, k))
            stack.append(v)
    return found


def mutate(data: st.DataObject, doc: Any, count: int) -> None:
    for _ in range(count):
        targets = nodes(doc)
        if not targets:
            return
        parent, key = data.draw(st.sampled_from(targets))
        op = data.draw(st.sampled_from(["replace", "nasty", "delete", "extra", "nest", "grow"]))
        if op == "replace":
            parent[key] = data.draw(JSON)
        elif op == "nasty":
            parent[key] = data.draw(st.sampled_from(NASTY))
        elif op == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif op == "extra" and isinstance(parent[key], dict):
            parent[key][data.draw(st.text(max_size=12) | st.sampled_from(NASTY))] = data.draw(JSON)
        elif op == "nest":
            depth = data.draw(st.sampled_from([5, 15, 25, 200, 500]))
            value: Any = parent[key]
            for _ in range(depth):
                value = [value]
            parent[key] = value
        elif op == "grow":
            parent[key] = data.draw(st.sampled_from(["x" * 70_000, list(range(3000)), {"k": "v" * 5000}]))


def message_ids(doc: Any) -> set[str]:
    """Every string in the payload (any of them may have become a stored message id)."""
    out: set[str] = set()
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.add(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


class Ledger:
    """What the fuzz run has seen, and the store checks after each case."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.statuses: Counter[int] = Counter()
        self.stored: Counter[str] = Counter()

    def new_messages(self, since: Any) -> list[Any]:
        group = (
            firestore_client()
            .collection_group("messages")
            .where(filter=FieldFilter("received_at", ">=", since))
        )
        prefix = f"tenants/{self.tenant_id}/"
        return [d for d in group.stream() if d.reference.path.startswith(prefix)]

    def check(self, status: int, payload: Any, since: Any) -> None:
        self.statuses[status] += 1
        assert status < 500, f"5xx for {json.dumps(payload)[:500]}"
        new = self.new_messages(since)
        if status >= 400:
            assert not new, f"refused ({status}) but stored {[d.reference.path for d in new]}"
            return
        allowed = message_ids(payload)
        for doc in new:
            parts = doc.reference.path.split("/")
            assert len(parts) == 6 and parts[2] == "conversations" and parts[4] == "messages", parts
            assert doc.id in allowed
            self.stored[doc.id] += 1
            assert self.stored[doc.id] == 1, f"{doc.id} stored twice"


def recorded(name: str, phone_number_id: str) -> str:
    return (DATA / "whatsapp" / f"{name}.json").read_text().replace("__PHONE_NUMBER_ID__", phone_number_id)


def fresh_ids(text: str, run: str) -> str:
    """The recorded payload with message ids unique to this case (so a store is a new store)."""
    return text.replace('"wamid.', f'"wamid.fz{run}')


def test_meta_payloads_fuzzed_never_5xx_and_store_exactly_what_they_accept(tenant_id: str) -> None:
    tenant = make_tenant(tenant_id)
    ledger = Ledger(tenant_id)
    bases = {
        name: (DATA / "whatsapp" / f"{name}.json")
        .read_text()
        .replace("__PHONE_NUMBER_ID__", tenant.phone_number_id)
        for name in META_BASES
    }
    client = httpx.Client(timeout=30)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def case(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(META_BASES))
        payload = json.loads(fresh_ids(bases[name], uuid.uuid4().hex[:10]))
        mutate(data, payload, data.draw(st.integers(0, 4)))
        body = json.dumps(payload).encode()  # ensure_ascii: lone surrogates travel as \ud800
        since = utcnow() - timedelta(milliseconds=5)
        headers = {"X-Hub-Signature-256": meta_signature(body, SECRET), "Content-Type": "application/json"}
        response = client.post(webhook_url(), content=body, headers=headers)
        ledger.check(response.status_code, payload, since)

    case()
    client.close()
    print(f"\nmeta fuzz: {sum(ledger.statuses.values())} cases, statuses {dict(ledger.statuses)}")
    assert ledger.statuses[200] > EXAMPLES // 20, "the fuzzer should keep many payloads valid"
    assert sum(n for s, n in ledger.statuses.items() if s >= 500) == 0
    paths = [d.path for d in _walk(tenant_collection(tenant_id, "conversations"))]
    assert all(len(p.split("/")) in (4, 6) for p in paths), [
        p for p in paths if len(p.split("/")) not in (4, 6)
    ]


def _walk(collection: Any) -> list[Any]:
    out = []
    stack = [collection]
    while stack:
        for ref in stack.pop().list_documents():
            out.append(ref)
            stack.extend(ref.collections())
    return out


def test_twilio_forms_fuzzed_never_5xx(tenant_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.whatsapp.webhook import WebhookRequest, handle_webhook

    url = "https://example.test/whatsapp"
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-fuzz-token")
    monkeypatch.setenv("WEBHOOK_PUBLIC_URL", url)
    reset_clients()
    tenant = make_tenant(tenant_id)
    ledger = Ledger(tenant_id)
    base = json.loads(
        (DATA / "whatsapp" / "twilio_text.json")
        .read_text()
        .replace("__PHONE_NUMBER_ID__", tenant.phone_number_id)
    )
    text_values = st.text(max_size=40) | st.sampled_from(NASTY) | st.integers().map(str)

    @settings(max_examples=max(EXAMPLES // 4, 50), deadline=None, database=None)
    @given(
        changes=st.dictionaries(
            st.sampled_from([*base, "Extra", "ButtonPayload", "Latitude"]), text_values, max_size=4
        ),
        drop=st.lists(st.sampled_from(sorted(base)), max_size=2),
    )
    def case(changes: dict[str, str], drop: list[str]) -> None:
        sid = f"SM{uuid.uuid4().hex}"
        form = {**base, "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid} | changes
        for key in drop:
            form.pop(key, None)
        try:
            body = urlencode(form).encode()
        except UnicodeEncodeError:
            body = urlencode(form, encoding="utf-8", errors="surrogatepass").encode()
        from urllib.parse import parse_qsl

        signed = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": twilio_signature(url, signed, "twilio-fuzz-token"),
        }
        since = utcnow() - timedelta(milliseconds=5)
        response = handle_webhook(
            WebhookRequest("POST", url, headers, body, content_type="application/x-www-form-urlencoded")
        )
        ledger.check(response.status, form, since)

    case()
    print(f"\ntwilio fuzz: {sum(ledger.statuses.values())} cases, statuses {dict(ledger.statuses)}")
    assert ledger.statuses[200] > 0
