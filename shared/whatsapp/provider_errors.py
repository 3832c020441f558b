"""Provider error codes as data: what the product does for each code Meta's Graph API or Twilio
answers a send with.

Actions:
- `retry`: a rate limit or a passing failure; raised as TransientError, so Pub/Sub retries later
  (with its backoff), and nothing is sent twice (the outbound claim).
- `template`: outside the 24-hour window; the message goes again as its approved template.
- `opted_out`: the customer stopped these messages; recorded like a STOP, never retried.
- `permanent`: retrying the same message cannot help (bad number, template or parameter
  problems, account issues); the outbound message is marked `failed` with the code and a
  `send_failed` event counts it.

A code in neither table is logged with the provider's text; a 429/5xx answer is retried and any
other answer treated as permanent, so an unknown code never loops beyond Pub/Sub's retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared.errors import PermanentError, TransientError
from shared.log import get_logger, log_event

log = get_logger(__name__)
Action = Literal["retry", "template", "opted_out", "permanent"]


@dataclass(frozen=True)
class Rule:
    action: Action
    meaning: str


GRAPH: dict[int, Rule] = {
    # Rate limits and passing trouble: later.
    4: Rule("retry", "application request limit reached"),
    80007: Rule("retry", "WhatsApp Business Account rate limit"),
    130429: Rule("retry", "throughput limit reached"),
    131048: Rule("retry", "spam rate limit hit"),
    131056: Rule("retry", "too many messages to this customer (pair rate limit)"),
    133016: Rule("retry", "account register/deregister rate limit"),
    131000: Rule("retry", "something went wrong (Meta)"),
    131016: Rule("retry", "service temporarily unavailable"),
    2: Rule("retry", "API service temporarily unavailable"),
    # Outside the customer-service window: only a template.
    131047: Rule("template", "more than 24 hours since the customer last wrote"),
    # The customer stopped marketing messages in WhatsApp.
    131050: Rule("opted_out", "the customer stopped marketing messages"),
    # Cannot be fixed by retrying the same message.
    131026: Rule("permanent", "message undeliverable (number not on WhatsApp, old app, or blocked)"),
    131051: Rule("permanent", "unsupported message type"),
    131049: Rule("permanent", "not delivered to keep the ecosystem healthy (marketing limit)"),
    131052: Rule("permanent", "media could not be downloaded"),
    131053: Rule("permanent", "media could not be uploaded"),
    131008: Rule("permanent", "a required parameter is missing"),
    131009: Rule("permanent", "a parameter value is not valid"),
    131021: Rule("permanent", "sender and recipient are the same number"),
    131031: Rule("permanent", "the business account is locked"),
    132000: Rule("permanent", "template parameter count does not match"),
    132001: Rule("permanent", "template does not exist in this language"),
    132005: Rule("permanent", "template text too long once filled"),
    132007: Rule("permanent", "template content breaks a policy"),
    132012: Rule("permanent", "template parameter format does not match"),
    132015: Rule("permanent", "template paused for low quality"),
    132016: Rule("permanent", "template disabled"),
    132018: Rule("permanent", "template parameter has a newline, a tab or too many spaces"),
    100: Rule("permanent", "invalid parameter"),
    190: Rule("permanent", "access token expired or invalid (WHATSAPP_ACCESS_TOKEN)"),
    10: Rule("permanent", "permission denied"),
}

TWILIO: dict[int, Rule] = {
    20429: Rule("retry", "too many requests"),
    63018: Rule("retry", "rate limit for the sender exceeded"),
    63038: Rule("retry", "daily message limit of the account reached"),
    63016: Rule("template", "outside the 24-hour window: free-form message refused"),
    21610: Rule("opted_out", "the recipient replied STOP to this sender"),
    63024: Rule("permanent", "invalid message recipient"),
    63003: Rule("permanent", "the channel could not find the recipient"),
    63032: Rule("permanent", "the recipient cannot receive this message"),
    21211: Rule("permanent", "invalid 'To' number"),
    21408: Rule("permanent", "sending to this region is not enabled"),
    63005: Rule("permanent", "the channel did not accept the content"),
    63007: Rule("permanent", "no WhatsApp sender for the 'From' number"),
    63027: Rule("permanent", "template does not exist for this language"),
    63028: Rule("permanent", "template parameter count does not match"),
    20003: Rule("permanent", "authentication failed (TWILIO_AUTH_TOKEN)"),
}


class WindowClosed(PermanentError):
    """The customer's 24-hour service window is closed: only a template may be sent."""


class ProviderOptedOut(PermanentError):
    """The provider says the customer stopped these messages."""


class ProviderRefused(PermanentError):
    """The provider refused the message for good; `provider_code` says why."""

    def __init__(self, reason: str, code: int | None) -> None:
        super().__init__(reason)
        self.provider_code = code


def raise_for(provider: Literal["graph", "twilio"], code: int | None, status: int, text: str) -> None:
    """Raise what the product does about a failed send (always raises)."""
    table = GRAPH if provider == "graph" else TWILIO
    rule = table.get(code) if isinstance(code, int) else None
    reason = f"{provider} {status} code {code}: {(rule.meaning if rule else text)[:200]}"
    if rule is None:
        log_event(
            log, 40, "unknown provider error", provider=provider, code=code, status=status, text=text[:300]
        )
        if status == 429 or status >= 500:
            raise TransientError(reason)
        raise ProviderRefused(reason, code)
    if rule.action == "retry":
        raise TransientError(reason)
    if rule.action == "template":
        raise WindowClosed(reason)
    if rule.action == "opted_out":
        raise ProviderOptedOut(reason)
    raise ProviderRefused(reason, code)
