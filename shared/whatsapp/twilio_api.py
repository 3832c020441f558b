"""Twilio's Messages API for WhatsApp (`POST /2010-04-01/Accounts/{sid}/Messages.json`)."""

from __future__ import annotations

import json

from shared.errors import PermanentError, TransientError
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.provider_errors import raise_for


def send_message(
    *, base_url: str, account_sid: str, auth_token: str, sender: str, wa_id: str, message: OutboundMessage
) -> str:
    """Send a WhatsApp message through Twilio; returns the message SID."""
    import httpx

    from shared.clients import http_client

    if not wa_id.isdigit():
        raise PermanentError("Twilio sends to phone numbers only; this customer has none")

    text = message.text
    if message.buttons or message.rows:  # plain Twilio has no interactive messages: number them
        options = [b.title for b in message.buttons] or [r.title for r in message.rows]
        text += "\n" + "\n".join(f"{i}. {o}" for i, o in enumerate(options, 1))
    url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
    form = {"From": f"whatsapp:+{sender}", "To": f"whatsapp:+{wa_id}", "Body": text}
    if message.template is not None:
        # Outside the window: an approved Content template and its variables, no free text.
        from shared.settings import get_settings
        from shared.whatsapp.templates import twilio_content_sid

        sid = twilio_content_sid(
            message.template.name, message.template.language, get_settings().twilio_content_sids
        )
        variables = {str(n): v for n, v in enumerate(message.template.body_params, 1)}
        form = form | {"ContentSid": sid, "ContentVariables": json.dumps(variables, ensure_ascii=False)}
        form.pop("Body")
    try:
        response = http_client().post(url, data=form, auth=(account_sid, auth_token))
    except httpx.HTTPError as exc:
        raise TransientError(f"Twilio unreachable: {type(exc).__name__}") from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code in (200, 201) and data.get("sid"):
        return str(data["sid"])
    raise_for("twilio", data.get("code"), response.status_code, str(data.get("message") or response.text))
    raise AssertionError("unreachable")  # raise_for always raises
