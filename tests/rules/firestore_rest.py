"""A small client for the Firestore emulator's REST API as a browser user would reach it.

The server libraries bypass security rules on the emulator; a request with
`Authorization: Bearer <unsigned JWT>` is evaluated against firestore.rules with that token's
claims, exactly as the JS SDK's `mockUserToken` does. No token: an anonymous request.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx


def mock_id_token(uid: str, **claims: Any) -> str:
    """An unsigned Firebase ID token, as the emulators accept (alg none, empty signature)."""
    now = int(time.time())
    payload = {
        "iss": "https://securetoken.google.com/demo-wacrm",
        "aud": "demo-wacrm",
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
        **claims,
    }

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def encode(value: Any) -> dict[str, Any]:
    """A Python value as a Firestore REST `Value`."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, datetime):
        return {"timestampValue": value.isoformat().replace("+00:00", "Z")}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, dict):
        return {"mapValue": {"fields": {k: encode(v) for k, v in value.items()}}}
    if isinstance(value, list):
        return {"arrayValue": {"values": [encode(v) for v in value]}}
    raise TypeError(f"cannot encode {type(value).__name__}")


SERVER_TIME = object()  # a field set to the request time (serverTimestamp() in the JS SDK)


@dataclass
class Browser:
    """One browser identity talking to the emulator: `token` None means signed out."""

    emulator_host: str
    project: str
    token: str | None

    @property
    def root(self) -> str:
        return f"projects/{self.project}/databases/(default)/documents"

    def _request(self, method: str, url: str, body: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.request(
            method, f"http://{self.emulator_host}/v1/{url}", json=body, headers=headers, timeout=10
        )

    def get(self, path: str) -> int:
        """HTTP status of reading the document at `path` (200 allowed, 403 denied)."""
        return self._request("GET", f"{self.root}/{path}").status_code

    def list_collection(self, parent: str, collection: str) -> int:
        """HTTP status of a query over a whole collection (what onSnapshot(collection) does)."""
        parent_url = f"{self.root}/{parent}" if parent else self.root
        body = {"structuredQuery": {"from": [{"collectionId": collection}], "limit": 10}}
        response = self._request("POST", f"{parent_url}:runQuery", body)
        if response.status_code == 200 and any("error" in part for part in response.json()):
            return 403
        return response.status_code

    def write(
        self,
        path: str,
        fields: dict[str, Any],
        *,
        create: bool = False,
        merge: bool = True,
    ) -> int:
        """HTTP status of a write: an update of `fields` only (merge), or a create."""
        plain = {k: v for k, v in fields.items() if v is not SERVER_TIME}
        stamped = [k for k, v in fields.items() if v is SERVER_TIME]
        write: dict[str, Any] = {
            "update": {"name": f"{self.root}/{path}", "fields": {k: encode(v) for k, v in plain.items()}},
            "currentDocument": {"exists": not create},
        }
        if merge and not create:
            write["updateMask"] = {"fieldPaths": list(plain)}
        if stamped:
            write["updateTransforms"] = [
                {"fieldPath": k, "setToServerValue": "REQUEST_TIME"} for k in stamped
            ]
        return self._request("POST", f"{self.root}:commit", {"writes": [write]}).status_code

    def delete(self, path: str) -> int:
        return self._request("DELETE", f"{self.root}/{path}").status_code
