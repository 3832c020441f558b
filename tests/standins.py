"""Local stand-in HTTP servers speaking the documented wire formats of APIs we cannot reach:
the OpenAI chat completions API (also DeepSeek's), the Gemini `generateContent` REST API and
the WhatsApp Graph API `/{phone_number_id}/messages`. Each runs on 127.0.0.1 on a free port, in
a thread, and records the requests it received. A test sets `mode` to inject faults.

The model stand-ins play a scripted model: `script` holds the next answers, each `Say(text)`,
`Call((name, arguments), …)` (tool calls as the API sends them: OpenAI `tool_calls` with JSON
*string* arguments, Gemini `functionCall` parts with object arguments; a `str` argument is sent
verbatim, to play a model that writes broken JSON) or a function of the request body (to answer
from the tool results the client sent back). With an empty script they say `reply_text`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Say:
    text: str


class Call:
    def __init__(self, *calls: tuple[str, dict[str, Any] | str]) -> None:
        self.calls = calls


Step = Say | Call | Callable[[Any], "Say | Call"]


def openai_tool_results(body: Any) -> list[dict[str, Any]]:
    """The tool results (decoded `role: tool` contents) in an OpenAI request, oldest first."""
    return [json.loads(m["content"]) for m in body["messages"] if m["role"] == "tool"]


def gemini_tool_results(body: Any) -> list[dict[str, Any]]:
    """The function responses in a Gemini request, oldest first."""
    return [
        p["functionResponse"]["response"]
        for c in body["contents"]
        for p in c.get("parts", [])
        if "functionResponse" in p
    ]


class StandIn:
    """A recording HTTP server; `respond(path, body) -> (status, json or raw bytes)`."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.reply_text = "Hello from the stand-in."
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.delay_s = 3.0
        self.script: list[Step] = []
        self.server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    def next_step(self, body: Any) -> Say | Call:
        """The scripted model's next answer to `body` (`Say(reply_text)` once the script is done)."""
        with self._lock:
            step = self.script.pop(0) if self.script else Say(self.reply_text)
        return step if isinstance(step, Say | Call) else step(body)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def respond(self, path: str, body: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def fault(self) -> tuple[int, Any] | None:
        """The common faults: 429, 500, a timeout, a garbage body."""
        if self.mode == "429":
            return 429, {
                "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}
            }
        if self.mode == "500":
            return 500, {"error": {"message": "The server had an error", "type": "server_error"}}
        if self.mode == "timeout":
            time.sleep(self.delay_s)
            return 200, b"{}"
        if self.mode == "garbage":
            return 200, b"<html>502 Bad Gateway</html>"
        return None

    @contextmanager
    def running(self) -> Iterator[StandIn]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode()
                standin.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, payload = standin.fault() or standin.respond(self.path, body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


class OpenAIStandIn(StandIn):
    """`POST {base}/chat/completions` as OpenAI (and DeepSeek) answer it."""

    def respond(self, path: str, body: Any) -> tuple[int, Any]:
        if self.mode == "empty":
            return 200, {
                "id": "chatcmpl-0",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [],
                "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1},
            }
        step = self.next_step(body)
        message: dict[str, Any] = {"role": "assistant", "content": None}
        if isinstance(step, Say):
            message["content"] = step.text
        else:
            message["tool_calls"] = [
                {
                    "id": f"call_{len(self.requests)}_{n}",
                    "type": "function",
                    "function": {
                        "name": name,
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
                for n, (name, args) in enumerate(step.calls)
            ]
        return 200, {
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "stop" if isinstance(step, Say) else "tool_calls",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 412, "completion_tokens": 23, "total_tokens": 435},
        }


class GeminiStandIn(StandIn):
    """`POST {base}/v1beta/models/{model}:generateContent` as the Gemini API answers it."""

    def fault(self) -> tuple[int, Any] | None:
        if self.mode == "429":
            return 429, {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted (e.g. check quota).",
                    "status": "RESOURCE_EXHAUSTED",
                }
            }
        if self.mode == "500":
            return 500, {
                "error": {"code": 500, "message": "An internal error has occurred.", "status": "INTERNAL"}
            }
        return super().fault()

    def respond(self, path: str, body: Any) -> tuple[int, Any]:
        if self.mode == "empty":
            return 200, {"candidates": [], "usageMetadata": {"promptTokenCount": 5, "totalTokenCount": 5}}
        step = self.next_step(body)
        if isinstance(step, Say):
            parts: list[dict[str, Any]] = [{"text": step.text}]
        else:
            parts = [
                {"functionCall": {"name": name, "args": args if isinstance(args, dict) else json.loads(args)}}
                for name, args in step.calls
            ]
        return 200, {
            "candidates": [
                {
                    "content": {"parts": parts, "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {"promptTokenCount": 398, "candidatesTokenCount": 19, "totalTokenCount": 417},
            "modelVersion": "gemini-2.0-flash",
        }


class GraphStandIn(StandIn):
    """`POST {base}/{phone_number_id}/messages`; `mode="window_closed"` refuses free-form messages
    with 131047 as Meta does outside the 24-hour window; `mode="rate_limited"` answers 130429;
    `mode="undeliverable:WA_ID"` refuses that recipient with 131026."""

    def respond(self, path: str, body: Any) -> tuple[int, Any]:
        if self.mode == "window_closed" and body.get("type") != "template":
            return 400, {
                "error": {
                    "message": "(#131047) Re-engagement message",
                    "type": "OAuthException",
                    "code": 131047,
                    "error_data": {
                        "messaging_product": "whatsapp",
                        "details": "Message failed to send because more than 24 hours have passed",
                    },
                    "fbtrace_id": "AbCdEf",
                }
            }
        if self.mode == f"undeliverable:{body.get('to')}":
            return 400, {
                "error": {
                    "message": "(#131026) Message undeliverable",
                    "type": "OAuthException",
                    "code": 131026,
                    "fbtrace_id": "AbCdEf",
                }
            }
        if self.mode == "rate_limited":
            return 400, {
                "error": {
                    "message": "(#130429) Rate limit hit",
                    "type": "OAuthException",
                    "code": 130429,
                    "fbtrace_id": "AbCdEf",
                }
            }
        n = len(self.requests)
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": f"wamid.standin{n}"}],
        }


class TwilioStandIn(StandIn):
    """`POST {base}/2010-04-01/Accounts/{sid}/Messages.json` (form body) as Twilio answers it;
    `mode="window_closed"` refuses with Twilio's 63016."""

    def respond(self, path: str, body: Any) -> tuple[int, Any]:
        if self.mode == "window_closed":
            return 400, {
                "code": 63016,
                "message": "Failed to send freeform message because you are outside the allowed window.",
                "more_info": "https://www.twilio.com/docs/errors/63016",
                "status": 400,
            }
        return 201, {
            "sid": f"SM{len(self.requests):032d}",
            "status": "queued",
            "body": "",
            "num_segments": "1",
        }
