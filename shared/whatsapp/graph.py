"""Meta Graph API `POST /{phone_number_id}/messages`: messages, read receipts with the typing
indicator, reactions. What each error code means is data: `shared.whatsapp.provider_errors`.
"""

from __future__ import annotations

from typing import Any

from shared.errors import TransientError
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.provider_errors import WindowClosed, raise_for

__all__ = ["WindowClosed", "message_body", "send_message"]


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
    raise_for("graph", error.get("code"), response.status_code, str(error.get("message") or response.text))
    raise AssertionError("unreachable")  # raise_for always raises
