"""Opt-out: a customer who wrote STOP (PARAR, SAIR, BAJA, ARRÊT, BERHENTI…, the conversation
engine's `opt_out` intent) or turned marketing messages off in WhatsApp (Meta's
`user_preferences` webhook) gets nothing proactive any more — back-in-stock notices, reminders,
broadcasts — until they write START (or resume in WhatsApp). Replies to what they write are not
proactive and still go out.

A message that is just a STOP/START keyword of any language is recorded by the webhook with the
message itself (`keyword_choice`), whatever language the conversation is in.
Recorded on the conversation (`opted_out`, `opted_out_at`, `opt_out_source`: `chat` or
`whatsapp_settings`) and on `customers/{customer_key}` (`opted_out`, read by broadcasts), and
honoured in one place: `shared.whatsapp.send.send_and_store(..., proactive=True)` refuses to send
to an opted-out customer (`OptedOut`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from shared.errors import PermanentError
from shared.storage import tenant_collection, utcnow

Source = Literal["chat", "whatsapp_settings", "provider"]  # provider: refused as opted out (21610…)


class OptedOut(PermanentError):
    """The customer opted out of proactive messages: this one is not sent."""


def opted_out(conversation: dict[str, Any] | None) -> bool:
    return bool((conversation or {}).get("opted_out"))


def opt_out_fields(opt_out: bool, source: Source) -> dict[str, Any]:
    """The conversation fields that record an opt-out (or an opt-in: `opt_out=False`)."""
    return {"opted_out": opt_out, "opted_out_at": utcnow() if opt_out else None, "opt_out_source": source}


def record_opt_out(tenant_id: str, customer_key: str, opt_out: bool, *, source: Source) -> None:
    """Record the customer's choice on their conversation and their customer record."""
    from shared.clients import firestore_client
    from shared.messaging.store import conversation_ref

    fields = opt_out_fields(opt_out, source)
    batch = firestore_client().batch()
    batch.set(conversation_ref(tenant_id, customer_key), fields, merge=True)
    batch.set(tenant_collection(tenant_id, "customers").document(customer_key), fields, merge=True)
    batch.commit()


def keyword_choice(text: str | None) -> bool | None:
    """True for a message that is just an opt-out keyword of any supported language (STOP,
    PARAR, SAIR, BAJA, ARRÊT, BERHENTI…), False for an opt-in one (START…), else None.

    Language-independent on purpose: a one-word message says too little to detect its language,
    and a customer who writes PARAR to a shop set up in English has still opted out. The words
    are the conversation engine's (`shared/i18n/chat_words/<lang>.json`, intents `opt_out` and
    `opt_in`), so there is one list per language.
    """
    if not text or len(text) > 40:
        return None
    words = _keywords()
    normal = _normal(text)
    if normal in words["opt_out"]:
        return True
    if normal in words["opt_in"]:
        return False
    return None


def _normal(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() or c.isspace() else " " for c in letters).split())


@cache
def _keywords() -> dict[str, frozenset[str]]:
    import json

    from shared.i18n.catalog import CHAT_WORDS, LANGUAGES

    found: dict[str, set[str]] = {"opt_out": set(), "opt_in": set()}
    for lang in LANGUAGES:
        intents = json.loads((CHAT_WORDS / f"{lang}.json").read_text(encoding="utf-8")).get("intents", {})
        for kind, words in found.items():
            words.update(_normal(w) for w in intents.get(kind, []))
    return {kind: frozenset(words) for kind, words in found.items()}
