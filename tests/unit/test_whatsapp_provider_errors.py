"""Provider error codes as data: each code does what its table says; unknown ones are logged."""

from __future__ import annotations

import pytest

from shared.errors import TransientError
from shared.whatsapp.provider_errors import (
    GRAPH,
    TWILIO,
    ProviderOptedOut,
    ProviderRefused,
    WindowClosed,
    raise_for,
)

EXPECTED = {"retry": TransientError, "template": WindowClosed, "opted_out": ProviderOptedOut}


@pytest.mark.parametrize(("provider", "table"), [("graph", GRAPH), ("twilio", TWILIO)])
def test_every_code_does_what_its_table_says(provider: str, table: dict) -> None:
    for code, rule in table.items():
        with pytest.raises(EXPECTED.get(rule.action, ProviderRefused)) as info:
            raise_for(provider, code, 400, "text")  # type: ignore[arg-type]
        assert str(code) in str(info.value)


@pytest.mark.parametrize(
    ("provider", "code", "kind"),
    [
        ("graph", 131048, TransientError),
        ("graph", 131056, TransientError),
        ("graph", 133016, TransientError),
        ("graph", 131047, WindowClosed),
        ("graph", 131026, ProviderRefused),
        ("graph", 132018, ProviderRefused),
        ("twilio", 63016, WindowClosed),
        ("twilio", 21610, ProviderOptedOut),
        ("twilio", 63024, ProviderRefused),
    ],
)
def test_the_codes_the_issue_names(provider: str, code: int, kind: type) -> None:
    with pytest.raises(kind):
        raise_for(provider, code, 400, "")  # type: ignore[arg-type]


def test_unknown_codes_are_retried_on_5xx_and_permanent_otherwise(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(TransientError):
        raise_for("graph", 999_999, 503, "odd")
    with pytest.raises(ProviderRefused) as info:
        raise_for("graph", 999_998, 400, "some new problem")
    assert info.value.provider_code == 999_998
    logged = [r for r in caplog.records if r.getMessage() == "unknown provider error"]
    assert any("some new problem" in str(getattr(r, "fields", {})) for r in logged)
