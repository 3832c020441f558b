"""Provider error codes as data: each known code does what its table says; an unknown one is
logged with the provider's text, tried again, then given up as permanent."""

from __future__ import annotations

import logging

import pytest

from shared.errors import ConfigError, PermanentError, TransientError
from shared.whatsapp.provider_errors import (
    GRAPH,
    TWILIO,
    UNKNOWN_TRIES,
    Attempt,
    RecipientOptedOut,
    WindowClosed,
    error_for,
    graph_rule,
    send_classified,
    twilio_rule,
)

EXPECTED = {
    "retry": TransientError,
    "template": WindowClosed,
    "opted_out": RecipientOptedOut,
    "setup": ConfigError,
    "permanent": PermanentError,
}


@pytest.mark.parametrize(
    ("code", "action"),
    [
        (130429, "retry"),
        (131048, "retry"),
        (131056, "retry"),
        (133016, "retry"),
        (131047, "template"),
        (131026, "permanent"),
        (131051, "permanent"),
        (132000, "permanent"),
        (132018, "permanent"),  # a newline in a parameter
        (132012, "permanent"),
        (132001, "setup"),  # the template is not approved in that language
        (190, "setup"),
        (131050, "opted_out"),
    ],
)
def test_graph_codes(code: int, action: str) -> None:
    rule = graph_rule(code, 400)
    assert rule is not None and rule.action == action
    error = error_for(rule, f"Graph API 400 code {code}: text")
    assert type(error) is EXPECTED[action]
    assert rule.meaning in str(error)


@pytest.mark.parametrize(
    ("code", "action"),
    [(63016, "template"), (63024, "permanent"), (21610, "opted_out"), (63018, "retry"), (20003, "setup")],
)
def test_twilio_codes(code: int, action: str) -> None:
    rule = twilio_rule(code, 400)
    assert rule is not None and rule.action == action


def test_every_rule_names_what_it_means() -> None:
    for rule in [*GRAPH.values(), *TWILIO.values()]:
        assert rule.action in EXPECTED and len(rule.meaning) > 8


def test_status_alone_decides_when_there_is_no_code() -> None:
    assert graph_rule(None, 503).action == "retry"  # type: ignore[union-attr]
    assert twilio_rule(None, 429).action == "retry"  # type: ignore[union-attr]
    assert graph_rule(None, 401).action == "setup"  # type: ignore[union-attr]
    assert graph_rule(987654, 400) is None and twilio_rule(99999, 400) is None


def test_an_unknown_code_is_logged_retried_then_permanent(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []
    waits: list[float] = []

    def refuse() -> Attempt:
        calls.append(1)
        return Attempt(None, 400, 987654, "Brand new failure mode")

    with caplog.at_level(logging.WARNING), pytest.raises(PermanentError, match=r"987654.*given up") as err:
        send_classified(refuse, graph_rule, "Graph API", sleep=waits.append)
    assert not isinstance(err.value, TransientError)
    assert len(calls) == UNKNOWN_TRIES and waits == [0.5, 1.0]
    logged = [r.fields for r in caplog.records if r.getMessage() == "unknown provider error"]  # type: ignore[attr-defined]
    assert [f["error"] for f in logged] == ["Brand new failure mode"] * UNKNOWN_TRIES
    assert logged[0]["code"] == 987654


def test_an_unknown_code_that_clears_up_sends() -> None:
    answers = [Attempt(None, 400, 987654, "blip"), Attempt("wamid.ok")]
    assert (
        send_classified(lambda: answers.pop(0), graph_rule, "Graph API", sleep=lambda _: None) == "wamid.ok"
    )


def test_a_known_code_is_not_retried_in_the_call() -> None:
    calls: list[int] = []

    def limited() -> Attempt:
        calls.append(1)
        return Attempt(None, 400, 131056, "(#131056) pair rate limit")

    with pytest.raises(TransientError, match="pair rate limit"):
        send_classified(limited, graph_rule, "Graph API", sleep=lambda _: None)
    assert len(calls) == 1
