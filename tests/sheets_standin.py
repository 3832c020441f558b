"""A local stand-in for Google's OAuth token endpoint, Drive v3 `files.get` and Sheets v4
(`spreadsheets.get`, `values:batchGet`; and for the Orders/Bookings write-back `batchUpdate`
addSheet, `values.get` and `values:append` on further tabs), speaking their wire format, so that
the real gspread and google-auth clients can be exercised offline.

The token endpoint verifies the service account's JWT assertion (RS256, audience = token URI)
with the public half of a throwaway RSA key made per test run; the APIs demand its bearer token.
Response shapes follow the recorded JSON in tests/data/sheets/.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
DATA = Path(__file__).resolve().parent / "data" / "sheets"
_A1 = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!([A-Z]+)(\d+):([A-Z]+)(\d+)$")


def _col(letters: str) -> int:
    value = 0
    for ch in letters:
        value = value * 26 + ord(ch) - 64
    return value


def _tab_of(a1: str) -> str:
    """`'Orders'!A1` / `Orders!A:A` / `'Orders'` -> `Orders`."""
    name = a1.rpartition("!")[0] if "!" in a1 else a1
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


@dataclass
class Spreadsheet:
    title: str
    values: list[list[str]]
    version: int = 1
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    tabs: dict[str, list[list[str]]] = field(default_factory=dict)  # further tabs, by title

    def edit(self, values: list[list[str]]) -> None:
        self.values = values
        self.version += 1
        self.modified = datetime.now(UTC)

    def edit_tab(self, title: str, values: list[list[str]]) -> None:
        self.tabs[title] = values
        self.version += 1
        self.modified = datetime.now(UTC)

    def tab(self, title: str) -> list[list[str]]:
        return self.values if title == self.title else self.tabs[title]


@dataclass
class StandIn:
    base_url: str
    key_pem: str
    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    fail_next: list[int] = field(default_factory=list)  # status codes for the next API calls
    stall_next: list[float] = field(default_factory=list)  # seconds to stall the next API calls
    retry_after: str | None = None  # Retry-After header on injected failures
    tokens_issued: int = 0

    def service_account_json(self) -> str:
        return json.dumps(
            {
                "type": "service_account",
                "project_id": "demo-wacrm",
                "private_key_id": "test-key-1",
                "private_key": self.key_pem,
                "client_email": "poller@demo-wacrm.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": f"{self.base_url}/token",
            }
        )

    def api_calls(self, prefix: str) -> int:
        return sum(1 for _, path in self.requests if path.startswith(prefix))


def _handler(state: StandIn, public_pem: bytes) -> type[BaseHTTPRequestHandler]:
    issued: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            if status in (429, 503) and state.retry_after is not None:
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, status: int, message: str, reason: str) -> None:
            if status == 429:
                self._send(429, _load("error_429.json"))
                return
            self._send(status, {"error": {"code": status, "message": message, "status": reason}})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            state.requests.append(("POST", url.path))
            if url.path != "/token":
                self._write(url.path)
                return
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
            try:
                assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
                # google-auth signs for Google's token endpoint whatever token_uri says.
                claims = jwt.decode(
                    form["assertion"][0], public_pem, algorithms=["RS256"], audience=GOOGLE_TOKEN_AUDIENCE
                )
                assert "/auth/spreadsheets" in claims["scope"]
            except (KeyError, AssertionError, jwt.PyJWTError) as exc:
                self._send(400, {"error": "invalid_grant", "error_description": str(exc)})
                return
            state.tokens_issued += 1
            token = f"ya29.standin-{state.tokens_issued}"
            issued.add(token)
            self._send(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

        def _write(self, path: str) -> None:
            """`:batchUpdate` (addSheet) and `values/{range}:append` on a tab of a spreadsheet."""
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.headers.get("Authorization", "").removeprefix("Bearer ") not in issued:
                self._error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
                return
            if state.fail_next:
                status = state.fail_next.pop(0)
                self._error(status, "backend error", "UNAVAILABLE" if status >= 500 else "RESOURCE_EXHAUSTED")
                return
            update = re.fullmatch(r"/v4/spreadsheets/([^/:]+):batchUpdate", path)
            append = re.fullmatch(r"/v4/spreadsheets/([^/:]+)/values/(.+):append", unquote(path))
            book = state.spreadsheets.get(((update or append) and (update or append).group(1)) or "")
            if book is None:
                self._error(404, "Requested entity was not found.", "NOT_FOUND")
                return
            if update:
                props = dict(body["requests"][0]["addSheet"]["properties"])
                if props["title"] in book.tabs or props["title"] == book.title:
                    self._error(
                        400, f'A sheet with the name "{props["title"]}" already exists.', "INVALID_ARGUMENT"
                    )
                    return
                book.tabs[props["title"]] = []
                props |= {"sheetId": len(book.tabs), "index": len(book.tabs)}
                self._send(
                    200, {"spreadsheetId": book.title, "replies": [{"addSheet": {"properties": props}}]}
                )
                return
            assert append is not None
            title = _tab_of(append.group(2))
            if title not in book.tabs:
                self._error(400, f"Unable to parse range: {append.group(2)}", "INVALID_ARGUMENT")
                return
            rows = [[str(c) for c in row] for row in body.get("values", [])]
            start = len(book.tabs[title]) + 1
            book.tabs[title].extend(rows)
            self._send(
                200,
                {
                    "spreadsheetId": append.group(1),
                    "updates": {"updatedRange": f"'{title}'!A{start}", "updatedRows": len(rows)},
                },
            )

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            state.requests.append(("GET", url.path))
            if self.headers.get("Authorization", "").removeprefix("Bearer ") not in issued:
                self._error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
                return
            if state.stall_next:
                time.sleep(state.stall_next.pop(0))
            if state.fail_next:
                status = state.fail_next.pop(0)
                self._error(status, "backend error", "UNAVAILABLE" if status >= 500 else "RESOURCE_EXHAUSTED")
                return
            column = re.fullmatch(
                r"/v4/spreadsheets/([^/:]+)/values/([^/:]+![A-Z]+\d*:[A-Z]+)", unquote(url.path)
            )
            if column:  # values.get of one whole column (gspread's col_values), on a further tab
                tab = state.spreadsheets[column.group(1)].tabs.get(_tab_of(column.group(2)))
                if tab is None:
                    self._error(400, "Unable to parse range", "INVALID_ARGUMENT")
                    return
                col = _col(re.findall(r"!([A-Z]+)", column.group(2))[0]) - 1
                cells = [row[col] if len(row) > col else "" for row in tab]
                self._send(
                    200, {"range": unquote(column.group(2)), "majorDimension": "COLUMNS", "values": [cells]}
                )
                return
            drive = re.fullmatch(r"/drive/v3/files/([^/]+)", url.path)
            sheet = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(/values:batchGet)?", url.path)
            key = (drive or sheet).group(1) if (drive or sheet) else ""
            book = state.spreadsheets.get(key)
            if book is None:
                self._error(404, "Requested entity was not found.", "NOT_FOUND")
                return
            if drive:
                body = _load("drive_files_get.json")
                body.update(
                    id=key,
                    version=str(book.version),
                    modifiedTime=book.modified.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                )
                wanted = query.get("fields", ["id,modifiedTime,version"])[0].split(",")
                self._send(200, {k: v for k, v in body.items() if k in wanted})
            elif sheet and sheet.group(2):
                self._send(200, self._batch_get(key, book, query))
            else:
                body = copy.deepcopy(_load("spreadsheets_get.json"))
                body["properties"] = {"title": book.title, "locale": "en_US"}  # gspread's open_by_key
                template = body["sheets"][0]
                body["sheets"] = []
                for index, title in enumerate([book.title, *book.tabs]):
                    tab = copy.deepcopy(template)
                    props = tab["properties"]
                    values = book.tab(title)
                    props.update(sheetId=index, title=title, index=index)
                    props["gridProperties"] = {
                        "rowCount": max(len(values), 1000),
                        "columnCount": max(26, max((len(r) for r in values), default=0)),
                    }
                    body["sheets"].append(tab)
                self._send(200, body)

        def _batch_get(self, key: str, book: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
            ranges = []
            for a1 in query.get("ranges", []):
                match = _A1.match(unquote(a1))
                assert match, a1
                r1, c1, r2, c2 = int(match[4]), _col(match[3]), int(match[6]), _col(match[5])
                title = match[1].replace("''", "'") if match[1] else match[2]
                block = [[str(c) for c in row[c1 - 1 : c2]] for row in book.tab(title)[r1 - 1 : r2]]
                # Like the real API: trailing empty cells and rows are omitted.
                block = [
                    row[: max((i + 1 for i, c in enumerate(row) if c != ""), default=0)] for row in block
                ]
                while block and not block[-1]:
                    block.pop()
                entry: dict[str, Any] = {"range": unquote(a1), "majorDimension": "ROWS"}
                if block:
                    entry["values"] = block
                ranges.append(entry)
            return {"spreadsheetId": key, "valueRanges": ranges}

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out on a stalled request closes the socket: expected, not an error.
        return


@contextmanager
def sheets_standin() -> Iterator[StandIn]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    server = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = StandIn(base_url=f"http://127.0.0.1:{server.server_address[1]}", key_pem=key_pem)
    server.RequestHandlerClass = _handler(state, public_pem)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
