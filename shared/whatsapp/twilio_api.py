"""Twilio's Messages API for WhatsApp (`POST /2010-04-01/Accounts/{sid}/Messages.json`).

Free text goes as `Body`; a template (outside the 24-hour window) as Twilio's Content API wants
it: `ContentSid` (the tenant's approved Content template, `twilio_content_sids`) and
`ContentVariables` (`{"1": …, "2": …}`, the same values as Meta's body parameters).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from shared.errors import ConfigError, PermanentError, TransientError
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.provider_errors import Attempt, send_classified, twilio_rule


def content_sid(content_sids: Mapping[str, str], name: str, language: str) -> str:
    """The Content template SID for template `name` in `language` (`name.pt_BR`, else `name`)."""
    sid = content_sids.get(f"{name}.{language}") or content_sids.get(name)
    if not sid:
        raise ConfigError(
            f"no Twilio Content template for {name!r} ({language}): add its SID (HX…) to the tenant's "
            f"twilio_content_sids as {name!r} or '{name}.{language}'"
        )
    return sid


def message_form(
    sender: str, wa_id: str, message: OutboundMessage, content_sids: Mapping[str, str]
) -> dict[str, str]:
    """The form fields Twilio's Messages API takes for `message`."""
    form = {"From": f"whatsapp:+{sender}", "To": f"whatsapp:+{wa_id}"}
    if message.template is not None:
        variables = {str(n): value for n, value in enumerate(message.template.body_params, 1)}
        sid = content_sid(content_sids, message.template.name, message.template.language)
        return form | {"ContentSid": sid, "ContentVariables": json.dumps(variables, ensure_ascii=False)}
    text = message.text
    if message.buttons or message.rows:  # plain Twilio has no interactive messages: number them
        options = [b.title for b in message.buttons] or [r.title for r in message.rows]
        text += "\n" + "\n".join(f"{i}. {o}" for i, o in enumerate(options, 1))
    return form | {"Body": text}


def send_message(
    *,
    base_url: str,
    account_sid: str,
    auth_token: str,
    sender: str,
    wa_id: str,
    message: OutboundMessage,
    content_sids: Mapping[str, str] | None = None,
) -> str:
    """Send a WhatsApp message through Twilio; returns the message SID."""
    import httpx

    from shared.clients import http_client

    if not wa_id.isdigit():
        raise PermanentError("Twilio sends to phone numbers only; this customer has none")
    url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
    form = message_form(sender, wa_id, message, content_sids or {})

    def send_once() -> Attempt:
        try:
            response = http_client().post(url, data=form, auth=(account_sid, auth_token))
        except httpx.HTTPError as exc:
            raise TransientError(f"Twilio unreachable: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if response.status_code in (200, 201) and data.get("sid"):
            return Attempt(str(data["sid"]))
        code = data.get("code")
        text = str(data.get("message") or response.text[:200])
        return Attempt(None, response.status_code, code if isinstance(code, int) else None, text)

    return send_classified(send_once, twilio_rule, "Twilio")
