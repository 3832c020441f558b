"""Serve the built dashboard locally: `python -m devtools.serve_dashboard --port 8000`.

- `GET /` and the files of `dashboard/dist/` (unknown paths fall back to `index.html`).
- `GET /config.json`: the runtime config the page reads first — the project id, the Firestore
  emulator's host and port (from FIRESTORE_EMULATOR_HOST), the default tenant and that it runs on
  the emulators. In the cloud there is no such file and the page reads Firebase Hosting's
  `/__/firebase/init.json` instead and signs staff in.
- `POST /api/chat` (emulators only): the local chat simulator. Takes `{"tenant", "from", "text"}`
  (plus `"reply": {"kind": "button"|"list", "id"}` for a pressed button or a picked list row),
  builds the Meta webhook payload a customer's message would arrive as, signs it with
  WHATSAPP_APP_SECRET and posts it to the served respond webhook — the same path a real message
  takes. The browser never talks to WhatsApp.

Never deployed: it exists for `./emulator.sh` and the browser tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import mimetypes
import os
import uuid
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dashboard" / "dist"
DEMO_TENANT = "demo"
DEMO_PHONE_NUMBER_ID = "100000000000001"
MAX_CHAT_BODY = 16_384
MAX_CHAT_TEXT = 4096


def runtime_config() -> dict[str, Any]:
    """What the page needs to connect: project, emulator address, default tenant."""
    emulator = os.environ.get("FIRESTORE_EMULATOR_HOST", "")
    host, _, port = emulator.rpartition(":")
    return {
        "mode": "emulator" if emulator else "cloud",
        "firebase": {
            "projectId": os.environ.get("GOOGLE_CLOUD_PROJECT", "demo-wacrm"),
            # The emulator ignores the key; the SDK only needs one to be present.
            "apiKey": "local-emulator-key",
        },
        "firestoreEmulator": {"host": host or "127.0.0.1", "port": int(port)} if emulator else None,
        "tenant": os.environ.get("DASHBOARD_TENANT", DEMO_TENANT),
        "staffUid": "local-staff",
        "simulator": bool(emulator),
    }


def _phone_number_id(tenant: str) -> str:
    if tenant == DEMO_TENANT:
        return DEMO_PHONE_NUMBER_ID
    from shared.tenants import get_tenant

    return get_tenant(tenant).phone_number_id


def simulate_customer_message(
    tenant: str, wa_id: str, text: str, reply: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """Sign and post one customer message to the local respond webhook; (status, answer).

    `reply` ({"kind": "button"|"list", "id": ...}) presses a reply button or picks a list row
    of the assistant's last message, as WhatsApp reports it (`button_reply` / `list_reply`)."""
    # The same payload and signature as `python -m shared.cli chat`.
    from shared.cli.chat import meta_payload
    from shared.clients import http_client
    from shared.whatsapp.signature import meta_signature

    message_id = f"wamid.sim-{uuid.uuid4().hex}"
    payload = meta_payload(_phone_number_id(tenant), wa_id, message_id, text, reply["id"] if reply else None)
    if reply and reply.get("kind") == "list":
        message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
        message["interactive"] = {"type": "list_reply", "list_reply": {"id": reply["id"], "title": text[:24]}}
    body = json.dumps(payload, separators=(",", ":")).encode()
    secret = os.environ.get("WHATSAPP_APP_SECRET", "local-app-secret")
    url = f"http://127.0.0.1:{os.environ.get('WEBHOOK_PORT', '8081')}/"
    response = http_client().post(
        url,
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": meta_signature(body, secret)},
    )
    return response.status_code, {"webhook_status": response.status_code, "message_id": message_id}


class DashboardHandler(SimpleHTTPRequestHandler):
    server_version = "wacrm-dashboard"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(DIST), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the page polls nothing; access logs would only be noise in .run/*/dashboard.log

    def end_headers(self) -> None:
        path = urlsplit(self.path).path
        # Hashed assets never change; everything else is revalidated so a rebuild shows at once.
        if path.startswith("/assets/"):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/config.json":
            self._json(HTTPStatus.OK, runtime_config())
            return
        if path.startswith("/api/"):
            self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "use POST"})
            return
        if not (DIST / path.lstrip("/")).is_file():
            self.path = "/index.html"  # a single-page app: deep links load the page
        super().do_GET()

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/api/chat":
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            return
        if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
            self._json(HTTPStatus.FORBIDDEN, {"error": "the chat simulator runs only on the emulators"})
            return
        # A JSON content type forces a CORS preflight, which this server never grants: another
        # site open in the same browser cannot make this endpoint post messages.
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send application/json"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_CHAT_BODY:
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"body must be 1..{MAX_CHAT_BODY} bytes"})
            return
        try:
            request = json.loads(self.rfile.read(length))
            tenant, wa_id, text = str(request["tenant"]), str(request["from"]), str(request["text"]).strip()
            reply = request.get("reply")
            if reply is not None:
                reply = {"kind": str(reply["kind"]), "id": str(reply["id"])}
                if reply["kind"] not in ("button", "list") or not 0 < len(reply["id"]) <= 256:
                    raise ValueError(reply)
        except (ValueError, KeyError, TypeError):
            self._json(
                HTTPStatus.BAD_REQUEST,
                {"error": 'expected {"tenant", "from", "text"} and optionally "reply": {"kind", "id"}'},
            )
            return
        if not wa_id.isdigit() or not 6 <= len(wa_id) <= 15:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "from must be a phone number (digits only)"})
            return
        if not text or len(text) > MAX_CHAT_TEXT:
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"text must be 1..{MAX_CHAT_TEXT} characters"})
            return
        import httpx

        from shared.errors import WacrmError

        try:
            status, answer = simulate_customer_message(tenant, wa_id, text, reply)
        except WacrmError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        except httpx.HTTPError as exc:  # the webhook is not being served
            self._json(HTTPStatus.BAD_GATEWAY, {"error": f"webhook unreachable: {exc}"})
            return
        self._json(HTTPStatus.OK if status < 300 else HTTPStatus.BAD_GATEWAY, answer)

    def _json(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("DASHBOARD_PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        raise SystemExit(f"{DIST}/index.html is missing: build the dashboard (./emulator.sh setup)")
    mimetypes.add_type("text/javascript", ".js")
    server = ThreadingHTTPServer((args.host, args.port), DashboardHandler)
    server.daemon_threads = True
    print(f"dashboard: http://{args.host}:{args.port}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
