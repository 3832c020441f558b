"""Structured JSON logs that Cloud Logging parses (`severity`, `message`, extra fields).

Use `get_logger(__name__)` once per module and pass fields with `extra={"fields": {...}}` or
through `log_event`. Known secret-bearing keys are redacted. Phone numbers must be hashed by the
caller before they reach a log line; as a second line of defence, any standalone run of 8–15
digits (how a provider's error text quotes a number) is masked in every string logged.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any

_REDACT = ("secret", "token", "password", "api_key", "authorization", "signature")
_PHONE = re.compile(r"(?<![\d\w])\+?\d{8,15}(?!\d)")
_configured = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": mask_numbers(record.getMessage()),
            "logger": record.name,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(redact(fields))
        if record.exc_info:
            entry["exception"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    """Copy of `fields` with values of secret-looking keys replaced and phone-like numbers masked."""
    return {
        k: "[redacted]"
        if any(s in k.lower() for s in _REDACT)
        else mask_numbers(v)
        if isinstance(v, str)
        else v
        for k, v in fields.items()
    }


def mask_numbers(text: str) -> str:
    """`text` with every standalone 8–15 digit number (a phone number, say) replaced."""
    return _PHONE.sub("[number]", text)


def _configure() -> None:
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    # The client libraries are chatty at INFO and may echo request headers at DEBUG.
    for noisy in ("urllib3", "httpx", "httpcore", "google", "grpc", "openai", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured = True


def get_logger(name: str) -> logging.Logger:
    """A module logger writing one JSON object per line."""
    _configure()
    return logging.getLogger(name)


def log_event(logger: logging.Logger, level: int, message: str, **fields: Any) -> None:
    """Log `message` with structured `fields`."""
    logger.log(level, message, extra={"fields": fields})
