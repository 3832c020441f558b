"""Meta Graph API `POST /{phone_number_id}/messages`.

A refused send is classified by `provider_errors.GRAPH` (131047 -> `WindowClosed`, so the caller
switches to a template; rate limits -> `TransientError`; …); network errors are transient.
"""

from __future__ import annotations

from typing import Any

from shared.errors import TransientError
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.provider_errors import Attempt, graph_rule, send_classified


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
    elif message.products and message.catalog_id:
        body |= {"type": "interactive", "interactive": product_interactive(message)}
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


def product_interactive(message: OutboundMessage) -> dict[str, Any]:
    """A `product` message for one SKU, else a `product_list` (Meta requires its header)."""
    skus = [sku for section in message.products for sku in section.skus]
    if len(skus) == 1:
        action: dict[str, Any] = {"catalog_id": message.catalog_id, "product_retailer_id": skus[0]}
        return {"type": "product", "body": {"text": message.text[:1024]}, "action": action}
    sections = [
        {"title": s.title, "product_items": [{"product_retailer_id": sku} for sku in s.skus]}
        for s in message.products
    ]
    return {
        "type": "product_list",
        "header": {"type": "text", "text": message.header or message.products[0].title},
        "body": {"text": message.text[:1024]},
        "action": {"catalog_id": message.catalog_id, "sections": sections},
    }


def send_message(
    *, base_url: str, access_token: str, phone_number_id: str, wa_id: str, message: OutboundMessage
) -> str:
    """Send through the Graph API; returns the `wamid` Meta assigned."""
    import httpx

    from shared.clients import http_client

    url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
    body = message_body(wa_id, message)

    def send_once() -> Attempt:
        try:
            response = http_client().post(url, json=body, headers={"Authorization": f"Bearer {access_token}"})
        except httpx.HTTPError as exc:
            raise TransientError(f"Graph API unreachable: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if response.status_code == 200 and data.get("messages"):
            return Attempt(str(data["messages"][0]["id"]))
        error: dict[str, Any] = data["error"] if isinstance(data.get("error"), dict) else {}
        extra = error.get("error_data")
        details = extra.get("details") if isinstance(extra, dict) else None
        text = str(error.get("message") or response.text[:200]) + (f" — {details}" if details else "")
        code = error.get("code")
        return Attempt(None, response.status_code, code if isinstance(code, int) else None, text)

    return send_classified(send_once, graph_rule, "Graph API")
