"""The rollup run: drain `conversation-events` in rounds, fold each round in, then ack it.

Each round pulls up to ROUND_MAX_MESSAGES (or for ROUND_PULL_SECONDS), folds the whole round
with one write per touched document (`fold.fold_events`), and only then acknowledges it: a
crash before the ack means redelivery, which the dedupe shards turn into no-ops. Rounds are at
least MIN_ROUND_SECONDS apart, so no analytics document is written more than once a second by
one run, whatever the event rate.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from shared.analytics.fold import FoldResult, fold_events
from shared.clients import subscriber
from shared.errors import PermanentError
from shared.events import ConversationEvent
from shared.log import get_logger, log_event
from shared.pubsub import decode_message
from shared.settings import get_settings

logger = get_logger(__name__)

PULL_MAX_MESSAGES = 1000
# An empty subscription answers a pull only when this runs out (Pub/Sub long-polls).
PULL_WAIT_SECONDS = 1.5
ROUND_MAX_MESSAGES = 20_000
ROUND_PULL_SECONDS = 10.0
MIN_ROUND_SECONDS = 1.0
RUN_BUDGET_SECONDS = 45.0
_ACK_CHUNK = 2000


@dataclass
class RollupResult:
    rounds: int = 0
    pulled: int = 0
    malformed: int = 0
    fold: FoldResult = field(default_factory=FoldResult)
    seconds: float = 0.0
    # (round end time, {document path: writes}) per round, for per-document write rates.
    round_writes: list[tuple[float, dict[str, int]]] = field(default_factory=list)

    def summary(self) -> dict[str, float | int]:
        return {
            "rounds": self.rounds,
            "pulled": self.pulled,
            "counted": self.fold.counted,
            "duplicates": self.fold.duplicates,
            "malformed": self.malformed,
            "writes": self.fold.write_count,
            "seconds": round(self.seconds, 3),
        }


def subscription_path() -> str:
    settings = get_settings()
    return f"projects/{settings.google_cloud_project}/subscriptions/{settings.subscription_analytics}"


def run_rollup(*, budget_s: float = RUN_BUDGET_SECONDS, round_max: int = ROUND_MAX_MESSAGES) -> RollupResult:
    """Drain the analytics subscription (until empty or `budget_s`) into the period documents."""
    started = time.monotonic()
    result = RollupResult()
    last_round = 0.0
    while time.monotonic() - started < budget_s:
        wait = MIN_ROUND_SECONDS - (time.monotonic() - last_round)
        if wait > 0 and result.rounds:
            time.sleep(wait)
        last_round = time.monotonic()
        ack_ids, events = _pull_round(round_max, min(ROUND_PULL_SECONDS, budget_s))
        if not ack_ids:
            break
        result.pulled += len(ack_ids)
        result.malformed += len(ack_ids) - len(events)
        fold = fold_events(events)
        _ack(ack_ids)
        result.rounds += 1
        result.fold.merge(fold)
        result.round_writes.append((time.monotonic(), dict(fold.writes)))
        if len(ack_ids) < round_max:
            break  # drained
    result.seconds = time.monotonic() - started
    log_event(logger, logging.INFO, "analytics rollup", **result.summary())
    return result


def _pull_round(max_messages: int, max_seconds: float) -> tuple[list[str], list[ConversationEvent]]:
    from google.api_core import exceptions as gexc

    deadline = time.monotonic() + max_seconds
    ack_ids: list[str] = []
    events: list[ConversationEvent] = []
    while len(ack_ids) < max_messages and time.monotonic() < deadline:
        try:
            response = subscriber().pull(
                request={
                    "subscription": subscription_path(),
                    "max_messages": min(PULL_MAX_MESSAGES, max_messages - len(ack_ids)),
                },
                timeout=PULL_WAIT_SECONDS,
            )
        except gexc.DeadlineExceeded:
            break
        if not response.received_messages:
            break
        for received in response.received_messages:
            ack_ids.append(received.ack_id)
            try:
                events.append(decode_message(received.message.data, ConversationEvent))
            except PermanentError as exc:
                # Acked with the round: a malformed event can never be counted.
                log_event(logger, logging.ERROR, "malformed conversation event dropped", error=str(exc))
    return ack_ids, events


def _ack(ack_ids: list[str]) -> None:
    for start in range(0, len(ack_ids), _ACK_CHUNK):
        subscriber().acknowledge(
            request={"subscription": subscription_path(), "ack_ids": ack_ids[start : start + _ACK_CHUNK]}
        )
