"""The push signature: HMAC-SHA256 over "<t>.<raw body>", 5-minute window."""

from __future__ import annotations

import time

import pytest

from shared.errors import BadRequest
from shared.sheets.push import sign, verify

BODY = b'{"tenant":"demo","edited_rows":[5]}'


def test_good_signature() -> None:
    header = sign(BODY, "s3cret")
    assert verify(BODY, header, "s3cret") == header.split("v1=")[1]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("sha256=abc", "malformed"),
        (sign(BODY, "other-secret"), "bad signature"),
        (sign(BODY + b" ", "s3cret"), "bad signature"),
        (sign(BODY, "s3cret", timestamp=int(time.time()) - 3600), "window"),
    ],
)
def test_refused(header: str | None, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason) as info:
        verify(BODY, header, "s3cret")
    assert info.value.status == 401


def test_known_vector() -> None:
    # The same value the Apps Script snippet computes (examples/apps_script/Code.gs).
    assert sign(b"{}", "k", timestamp=1700000000) == (
        "t=1700000000,v1=" + __import__("hmac").new(b"k", b"1700000000.{}", "sha256").hexdigest()
    )
