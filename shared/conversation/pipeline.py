"""The pure reply pipeline in one call: understand -> decide -> word (no I/O).

The worker reads the facts and writes the outcome; the benchmark and the unit tests call this
with an in-memory catalog, state and clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.conversation.decide import Facts, Plan, decide
from shared.conversation.facts import InfoEntry, Slot
from shared.conversation.retrieval import CatalogIndex
from shared.conversation.state import DialogueState
from shared.conversation.understand import Understanding, understand
from shared.conversation.word import word
from shared.i18n.catalog import language_of, reply_locale
from shared.whatsapp.outbound import OutboundMessage


@dataclass(frozen=True)
class Shop:
    name: str = "our shop"
    locale: str = "en-US"
    currency: str = "USD"

    @property
    def language(self) -> str:
        return language_of(self.locale)


@dataclass(frozen=True)
class Reply:
    understanding: Understanding
    plan: Plan
    message: OutboundMessage
    locale: str


def respond(
    text: str,
    state: DialogueState,
    catalog: CatalogIndex,
    now: datetime,
    *,
    shop: Shop,
    slots: Sequence[Slot] = (),
    info: Sequence[InfoEntry] = (),
    payload: str | None = None,
    message_type: str = "text",
    chosen_slot: Slot | None = None,
    stale: bool = False,
) -> Reply:
    """The reply to `text` in this conversation, with the plan behind it."""
    u = understand(
        text,
        state,
        catalog,
        now,
        info=info,
        default_language=shop.language,
        currency=shop.currency,
        payload=payload,
        message_type=message_type,
    )
    facts = Facts(catalog=catalog, slots=slots, info=info, now=now, shop=shop.name, chosen_slot=chosen_slot)
    plan = decide(u, state, facts)
    locale = reply_locale(u.language, shop.locale)
    return Reply(u, plan, word(plan, lang=u.language, locale=locale, catalog=catalog, stale=stale), locale)
