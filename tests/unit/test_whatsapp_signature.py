"""Signature checks: Meta's HMAC-SHA256 over the raw bytes, Twilio's HMAC-SHA1 over URL + params."""

from __future__ import annotations

import hashlib
import hmac
import json

from shared.whatsapp.signature import (
    meta_signature,
    meta_signature_valid,
    twilio_signature,
    twilio_signature_valid,
)

SECRET = "local-app-secret"


def test_meta_signature_is_hmac_sha256_of_raw_body() -> None:
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert meta_signature(body, SECRET) == expected
    assert meta_signature_valid(body, expected, SECRET)


def test_meta_signature_fails_for_reserialised_json() -> None:
    body = b'{"object": "whatsapp_business_account",  "entry": []}'
    header = meta_signature(body, SECRET)
    reserialised = json.dumps(json.loads(body)).encode()
    assert reserialised != body
    assert not meta_signature_valid(reserialised, header, SECRET)


def test_meta_signature_fails_for_wrong_secret_or_garbage() -> None:
    body = b"{}"
    assert not meta_signature_valid(body, meta_signature(body, "another-secret"), SECRET)
    assert not meta_signature_valid(body, "sha256=", SECRET)
    assert not meta_signature_valid(body, "garbage", SECRET)


def test_twilio_signature_matches_the_documented_algorithm() -> None:
    url = "https://example.com/webhook"
    params = {"From": "whatsapp:+16505551234", "Body": "hi", "MessageSid": "SM1"}
    data = url + "BodyhiFromwhatsapp:+16505551234MessageSidSM1"
    import base64

    expected = base64.b64encode(hmac.new(b"tok", data.encode(), hashlib.sha1).digest()).decode()
    assert twilio_signature(url, params, "tok") == expected
    assert twilio_signature_valid(url, params, expected, "tok")
    assert not twilio_signature_valid(url, {**params, "Body": "hi!"}, expected, "tok")
    assert not twilio_signature_valid(url + "x", params, expected, "tok")
