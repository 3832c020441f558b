"""`chat --tenant T --from WA_ID "text"`: talk to the local bot like a WhatsApp customer.

Builds a Meta Cloud API webhook payload (the tenant's phone_number_id in its metadata), signs
it with WHATSAPP_APP_SECRET exactly as Meta does, POSTs it to the local webhook, then waits for
the stored reply in Firestore and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "chat", help="send a signed WhatsApp message to the local webhook and print the reply"
    )
    parser.add_argument("--tenant", required=True, help="tenant id, e.g. demo")
    parser.add_argument("--from", dest="wa_id", required=True, help="customer WhatsApp id, e.g. 15550001111")
    parser.add_argument(
        "--button", help="press a button/list row with this id instead of typing (e.g. rate:5)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the reply")
    parser.add_argument(
        "--webhook-url",
        help="webhook to post to (default: the local one on $WEBHOOK_PORT); with WACRM_TARGET=cloud "
        "and the deployed webhook_url output this is a smoke test of the deployed system",
    )
    parser.add_argument("text", help="the message text")
    parser.set_defaults(func=_chat)


def meta_payload(
    phone_number_id: str, wa_id: str, message_id: str, text: str, button: str | None
) -> dict[str, Any]:
    """A Meta webhook payload carrying one text (or button reply) message."""
    message: dict[str, Any] = {"from": wa_id, "id": message_id, "timestamp": str(int(time.time()))}
    if button:
        message |= {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": button, "title": text[:20]}},
        }
    else:
        message |= {"type": "text", "text": {"body": text}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "CLI"}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "0", "changes": [{"field": "messages", "value": value}]}],
    }


def _chat(args: argparse.Namespace) -> int:
    import httpx

    from shared.messaging.store import conversation_ref, messages_ref
    from shared.settings import require
    from shared.tenants import get_tenant
    from shared.whatsapp.signature import meta_signature

    tenant = get_tenant(args.tenant, fresh=True)
    message_id = f"wamid.cli-{uuid.uuid4().hex}"
    body = json.dumps(
        meta_payload(tenant.phone_number_id, args.wa_id, message_id, args.text, args.button)
    ).encode()
    url = args.webhook_url or f"http://127.0.0.1:{os.environ.get('WEBHOOK_PORT', '8081')}/"
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(body, require("whatsapp_app_secret")),
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        print(
            f"error: the webhook at {url} does not answer ({exc}); is ./emulator.sh running?", file=sys.stderr
        )
        return 1
    if response.status_code != 200:
        print(f"error: the webhook answered {response.status_code}: {response.text}", file=sys.stderr)
        return 1
    from google.cloud.firestore_v1.base_query import FieldFilter

    from shared.messaging.identity import CustomerIds, resolve

    key = resolve(tenant.tenant_id, CustomerIds(phone=args.wa_id))  # the conversation's key
    query = messages_ref(tenant.tenant_id, key).where(
        filter=FieldFilter("covers", "array_contains", message_id)
    )
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        for doc in query.stream():
            reply = doc.to_dict() or {}
            print(reply.get("text", ""))
            for option in reply.get("buttons", []) + reply.get("rows", []):
                print(f"  [{option['id']}] {option['title']}")
            return 0
        conversation = conversation_ref(tenant.tenant_id, key).get().to_dict() or {}
        if conversation.get("handoff") and message_id not in conversation.get(
            "pending_inbound", [message_id]
        ):
            print("(a member of staff has this conversation: no automatic reply)")
            return 0
        time.sleep(0.2)
    print(
        f"error: no reply within {args.timeout:.0f} s (see .run/dev/fn-respond-worker.log)", file=sys.stderr
    )
    return 1
