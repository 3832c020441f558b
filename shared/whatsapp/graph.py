"""Meta Graph API `POST /{phone_number_id}/messages` and its error codes.

Errors map to the project's split: 131047 (outside the 24-hour window) -> `WindowClosed`, so the
caller switches to a template; 130429/131056 (rate limits), 5xx and network errors ->
`TransientError` (retry later); anything else -> `PermanentError`.
"""

from __future__ import annotations

from typing import Any

from shared.errors import PermanentError, TransientError
from shared.whatsapp.outbound import OutboundMessage

WINDOW_CLOSED = 131047
RATE_LIMITED = (130429, 131056, 80007, 4)


class WindowClosed(PermanentError):
    """The customer's 24-hour service window is closed: only a template may be sent."""


def addressee(recipient: str) -> dict[str, str]:
    """`to` for a phone number; `recipient` for a business-scoped user id (a customer known only
    by their username has no number we may see)."""
    return {"to": recipient} if recipient.isdigit() else {"recipient": recipient}


def message_body(wa_id: str, message: OutboundMessage) -> dict[str, Any]:
    """The Graph API JSON body for `message` to `wa_id` (a phone number or a BSUID)."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    body |= addressee(wa_id)
    if message.template:
        params = [{"type": "text", "text": p} for p in message.template.body_params]
        template: dict[str, Any] = {
            "name": message.template.name,
            "language": {"code": message.template.language},
        }
        if params:
            template["components"] = [{"type": "body", "parameters": params}]
        body |= {"type": "template", "template": template}
    elif message.buttons:
        buttons = [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in message.buttons]
        body |= {
            "type": "interactive",
            "interactive": {"type": "button", "body": {"text": message.text}, "action": {"buttons": buttons}},
        }
    elif message.rows:
        rows = [r.model_dump(exclude_none=True) for r in message.rows]
        action = {"button": message.list_button, "sections": [{"title": message.list_button, "rows": rows}]}
        body |= {
            "type": "interactive",
            "interactive": {"type": "list", "body": {"text": message.text}, "action": action},
        }
    else:
        body |= {"type": "text", "text": {"body": message.text, "preview_url": False}}
    return body


def send_message(
    *, base_url: str, access_token: str, phone_number_id: str, wa_id: str, message: OutboundMessage
) -> str:
    """Send through the Graph API; returns the `wamid` Meta assigned."""
    import httpx

    from shared.clients import http_client

    url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
    try:
        response = http_client().post(
            url, json=message_body(wa_id, message), headers={"Authorization": f"Bearer {access_token}"}
        )
    except httpx.HTTPError as exc:
        raise TransientError(f"Graph API unreachable: {type(exc).__name__}") from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code == 200 and data.get("messages"):
        return str(data["messages"][0]["id"])
    error = data.get("error") or {}
    code = error.get("code")
    reason = f"Graph API {response.status_code} code {code}: {error.get('message', response.text[:200])}"
    if code == WINDOW_CLOSED:
        raise WindowClosed(reason)
    if code in RATE_LIMITED or response.status_code == 429 or response.status_code >= 500:
        raise TransientError(reason)
    raise PermanentError(reason)
