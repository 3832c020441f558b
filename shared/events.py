"""The messages that travel on Pub/Sub, as pydantic models shared by publishers and consumers.

Every message carries an id so that a consumer can make its effect happen once, whatever
Pub/Sub redelivers; and only small facts, so that it stays far below the 512 KB event limit.

| topic                 | model             | publisher            | consumers                 |
|-----------------------|-------------------|----------------------|---------------------------|
| catalog-changes       | CatalogChange     | sheet_poller         | alerts, respond (restock) |
| inbound-messages      | InboundMessage    | respond.webhook      | respond.worker            |
| conversation-events   | ConversationEvent | respond              | analytics_rollup (pull)   |
| sheet-poll-ticks      | Tick              | Cloud Scheduler      | sheet_poller.poll         |
| alerts-ticks          | Tick              | Cloud Scheduler      | alerts.evaluate           |
| rollup-ticks          | Tick              | Cloud Scheduler      | analytics_rollup.rollup   |
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.storage import utcnow

TOPIC_SHEET_POLL_TICKS = "sheet-poll-ticks"
TOPIC_ALERTS_TICKS = "alerts-ticks"
TOPIC_ROLLUP_TICKS = "rollup-ticks"

# Cap on SKUs listed in one CatalogChange; beyond it `truncated` is set and consumers re-read.
MAX_SKUS_PER_CHANGE = 500


class Tick(BaseModel):
    """A Cloud Scheduler tick (the job publishes `{"job": ...}`)."""

    job: str = "tick"
    tenant_id: str | None = Field(default=None, description="limit the run to one tenant")
    at: datetime = Field(default_factory=utcnow)


class StatusChange(BaseModel):
    sku: str
    old: str | None
    new: str


class CatalogChange(BaseModel):
    """What one poll (or push) changed in a tenant's catalog."""

    tenant_id: str
    sheet_id: str
    poll_id: str
    at: datetime = Field(default_factory=utcnow)
    changed_skus: list[str] = Field(default_factory=list)
    removed_skus: list[str] = Field(default_factory=list)
    status_changes: list[StatusChange] = Field(default_factory=list)
    truncated: bool = False
    anomaly: str | None = None
    read_failed: bool = False


class InboundMessage(BaseModel):
    """An inbound WhatsApp message stored by the webhook, to be answered by the worker."""

    tenant_id: str
    wa_id: str
    message_id: str
    received_at: datetime = Field(default_factory=utcnow)


ConversationEventType = Literal[
    "message_in",
    "message_out",
    "handoff",
    "rating",
    "conversion",
    "provider_call",
    "webhook_failure",
    "resolved",
]


class ConversationEvent(BaseModel):
    """One fact about a conversation, for analytics and alerts. `event_id` makes it idempotent.

    `customer` is a salted hash of the customer's WhatsApp id, never the number itself.
    """

    event_id: str
    tenant_id: str
    type: ConversationEventType
    at: datetime = Field(default_factory=utcnow)
    customer: str | None = None
    conversation_started: bool = False
    returning_customer: bool = False
    intent: str | None = None
    provider: str | None = None
    fallback: bool = False
    provider_error: bool = False
    latency_ms: float | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_micros: int = Field(default=0, description="AI cost in millionths of a USD")
    grounded: bool | None = None
    offline_reason: str | None = Field(
        default=None, description="why a model's answer was not sent (no provider answered, ungrounded: …)"
    )
    tools_called: list[str] = Field(default_factory=list, description="the agent's tool calls, in order")
    sentiment: float | None = Field(default=None, ge=-1, le=1)
    rating: int | None = Field(default=None, ge=1, le=5)
    conversion: Literal["order", "booking"] | None = None
    revenue_minor: int = 0
    currency: str | None = None
    skus_asked: list[str] = Field(default_factory=list)
    skus_out_of_stock: list[str] = Field(default_factory=list)
    session_seconds: float | None = None
