"""What each provider error code means for the product, as data: one table for Meta's Graph API,
one for Twilio. A send that fails is classified here and nowhere else.

Actions:
- `retry`: the same message may go later (rate limits, Meta having trouble) -> `TransientError`,
  so the event is redelivered (Pub/Sub back-off; a broadcast stops its batch and resumes).
- `template`: the 24-hour window is closed -> `WindowClosed`: the sender switches to the
  declared template at once.
- `opted_out`: the customer blocked or stopped these messages -> `RecipientOptedOut`: the message
  is marked failed and nothing is retried.
- `setup`: the shop's set-up is wrong (token, number, template not approved) -> `ConfigError`:
  retrying cannot help until someone fixes it; the owner sees the failed message and the alert.
- `permanent`: this message to this customer will never go (not on WhatsApp, bad parameter)
  -> `PermanentError`: marked failed, not retried.

A code in neither table is logged with the provider's own text and retried a few times in the
same call (`UNKNOWN_TRIES`), then treated as permanent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from shared.errors import ConfigError, PermanentError, TransientError, WacrmError
from shared.log import get_logger, log_event

log = get_logger(__name__)

Action = Literal["retry", "template", "opted_out", "setup", "permanent"]
UNKNOWN_TRIES = 3
UNKNOWN_BACKOFF_S = 0.5


class WindowClosed(PermanentError):
    """The customer's 24-hour service window is closed: only a template may be sent."""


class RecipientOptedOut(PermanentError):
    """The customer opted out of (or blocked) the business's messages on the provider's side."""


@dataclass(frozen=True)
class Rule:
    action: Action
    meaning: str


def _r(action: Action, meaning: str) -> Rule:
    return Rule(action, meaning)


# Meta WhatsApp Cloud API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
GRAPH: dict[int, Rule] = {
    # Throttling and Meta-side trouble: try again later.
    4: _r("retry", "app-level API call rate limit"),
    80007: _r("retry", "WhatsApp Business Account rate limit"),
    130429: _r("retry", "throughput limit of the phone number reached"),
    131048: _r("retry", "spam rate limit: too many messages refused by customers recently"),
    131056: _r("retry", "pair rate limit: too many messages to this customer in a short time"),
    133016: _r("retry", "account register/deregister rate limit"),
    1: _r("retry", "API unknown error"),
    2: _r("retry", "API service temporarily unavailable"),
    131000: _r("retry", "something went wrong at Meta"),
    131016: _r("retry", "a Meta service is temporarily unavailable"),
    133004: _r("retry", "server temporarily unavailable"),
    # The 24-hour window.
    131047: _r("template", "more than 24 hours since the customer last wrote: re-engage with a template"),
    # The customer said no.
    131050: _r("opted_out", "the customer stopped marketing messages from this business"),
    # This message to this customer will never go.
    131026: _r("permanent", "undeliverable: not on WhatsApp, an old app, or terms not accepted"),
    131049: _r("permanent", "Meta chose not to deliver this marketing message (per-customer limit)"),
    131051: _r("permanent", "unsupported message type"),
    131052: _r("permanent", "the customer's media could not be downloaded"),
    131053: _r("permanent", "the media could not be uploaded"),
    131021: _r("permanent", "the recipient is the business's own number"),
    131009: _r("permanent", "a parameter value is not valid"),
    131008: _r("permanent", "a required parameter is missing"),
    100: _r("permanent", "invalid parameter in the request"),
    130472: _r("permanent", "the customer's number is part of a Meta experiment"),
    # The shop's set-up.
    0: _r("setup", "authentication failed: the access token is wrong"),
    190: _r("setup", "the access token expired or was revoked"),
    3: _r("setup", "the app lacks the capability (permissions)"),
    10: _r("setup", "permission denied for this number"),
    200: _r("setup", "the app lacks a permission"),
    368: _r("setup", "the account is temporarily blocked for policy violations"),
    131031: _r("setup", "the business account is locked"),
    131042: _r("setup", "a payment method problem on the business account"),
    131045: _r("setup", "the phone number is not registered"),
    133010: _r("setup", "the phone number is not registered with the Cloud API"),
    132001: _r("setup", "the template does not exist in this language (not approved yet?)"),
    132015: _r("setup", "the template is paused for low quality"),
    132016: _r("setup", "the template is disabled"),
}
# Template parameter errors (132000 parameter count, 132005 text too long, 132007 format policy,
# 132012 parameter format, 132018 newline/tab/spaces in a parameter…): this message is wrong.
GRAPH_RANGES: tuple[tuple[int, int, Rule], ...] = (
    (132000, 132999, _r("permanent", "the template's parameters were refused")),
)

# Twilio error codes (twilio.com/docs/api/errors).
TWILIO: dict[int, Rule] = {
    20429: _r("retry", "too many requests"),
    63018: _r("retry", "rate limit of the WhatsApp sender reached"),
    63038: _r("retry", "the account's daily message limit is reached"),
    63016: _r("template", "outside the 24-hour window: send a Content template"),
    21610: _r("opted_out", "the customer replied STOP to this sender"),
    63024: _r("permanent", "invalid message recipient"),
    63003: _r("permanent", "the channel could not find the recipient"),
    63032: _r("permanent", "WhatsApp will not deliver to this customer"),
    63049: _r("permanent", "Meta chose not to deliver this marketing message"),
    21211: _r("permanent", "the 'To' number is not valid"),
    21614: _r("permanent", "the 'To' number is not a valid mobile number"),
    21408: _r("permanent", "sending to this region is not enabled"),
    63005: _r("permanent", "the channel refused the content"),
    63013: _r("permanent", "the message breaks the channel's policy"),
    63021: _r("permanent", "the channel says the content is invalid"),
    63028: _r("permanent", "the number of template variables does not match"),
    20003: _r("setup", "authentication failed: the account SID or auth token is wrong"),
    63007: _r("setup", "the 'From' number is not a WhatsApp sender of this account"),
    63027: _r("setup", "the Content template does not exist in this language (not approved yet?)"),
    21656: _r("setup", "the ContentVariables are not valid JSON"),
}

_ERRORS: dict[Action, type[WacrmError]] = {
    "retry": TransientError,
    "template": WindowClosed,
    "opted_out": RecipientOptedOut,
    "setup": ConfigError,
    "permanent": PermanentError,
}


def graph_rule(code: int | None, status: int) -> Rule | None:
    """The rule for a Graph API error; None when the code is unknown (and the status says nothing)."""
    if code is not None and code in GRAPH:
        return GRAPH[code]
    for low, high, rule in GRAPH_RANGES:
        if code is not None and low <= code <= high:
            return rule
    return _by_status(status)


def twilio_rule(code: int | None, status: int) -> Rule | None:
    """The rule for a Twilio error; None when the code is unknown (and the status says nothing)."""
    if code is not None and code in TWILIO:
        return TWILIO[code]
    return _by_status(status)


def rule_for_code(code: int) -> Rule | None:
    """The rule for a code a delivery status reports (Graph and Twilio codes do not overlap)."""
    return graph_rule(code, 400) or twilio_rule(code, 400)


def _by_status(status: int) -> Rule | None:
    if status == 429 or status >= 500:
        return _r("retry", f"HTTP {status}")
    if status in (401, 403):
        return _r("setup", f"HTTP {status}: the credentials were refused")
    return None


def error_for(rule: Rule, reason: str) -> WacrmError:
    """The project error carrying what the product does with this failure."""
    return _ERRORS[rule.action](f"{reason} ({rule.meaning})")


@dataclass(frozen=True)
class Attempt:
    """One call's answer: the provider's message id when it was accepted, else its error."""

    message_id: str | None
    status: int = 200
    code: int | None = None
    text: str = ""


def send_classified(
    send_once: Callable[[], Attempt],
    rule_of: Callable[[int | None, int], Rule | None],
    provider: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Call `send_once` until it is accepted or its error is classified; returns the message id.

    A known error raises what its rule says at once; an unknown one is logged with the provider's
    text and tried again (UNKNOWN_TRIES in all), then raised as permanent.
    """
    reason = ""
    for attempt in range(1, UNKNOWN_TRIES + 1):
        answer = send_once()
        if answer.message_id:
            return answer.message_id
        reason = f"{provider} {answer.status} code {answer.code}: {answer.text[:300]}"
        rule = rule_of(answer.code, answer.status)
        if rule is not None:
            error = error_for(rule, reason)
            error.provider_code = answer.code  # type: ignore[attr-defined]  # counted per code
            raise error
        log_event(
            log,
            30,
            "unknown provider error",
            provider=provider,
            status=answer.status,
            code=answer.code,
            error=answer.text[:300],
            attempt=attempt,
        )
        if attempt < UNKNOWN_TRIES:
            sleep(UNKNOWN_BACKOFF_S * 2 ** (attempt - 1))
    given_up = PermanentError(f"{reason} (unknown error, given up after {UNKNOWN_TRIES} tries)")
    given_up.provider_code = answer.code  # type: ignore[attr-defined]
    raise given_up
