"""The gspread client, set up deliberately: service-account auth through google-auth, an explicit
request timeout, and a bounded back-off on 429/5xx (gspread's own BackOffHTTPClient retries with
no overall bound and a shared class-level counter).

`SHEETS_API_BASE` / `DRIVE_API_BASE` point the client elsewhere (a local stand-in in tests);
gspread builds absolute Google URLs, so the HTTP client rewrites their origin.
"""

from __future__ import annotations

import json
import random
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import gspread
import requests
from gspread.exceptions import APIError

from shared.clients import per_instance
from shared.errors import ConfigError
from shared.log import get_logger, log_event
from shared.quota.budget import draw_for_url, throttled_for_url
from shared.settings import get_settings, require

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
# The Orders/Bookings write-back (shared.commerce.writeback) needs to edit the sheet.
WRITE_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
SHEETS_ORIGIN = "https://sheets.googleapis.com"
DRIVE_ORIGIN = "https://www.googleapis.com"
_RETRY_STATUSES = {HTTPStatus.REQUEST_TIMEOUT, HTTPStatus.TOO_MANY_REQUESTS}
logger = get_logger(__name__)


def is_retryable(error: APIError) -> bool:
    """429, 408 and 5xx are worth another try; so is Drive's quota 403 ("usageLimits")."""
    if error.code in _RETRY_STATUSES or error.code >= 500:
        return True
    details = error.error.get("errors") or [{}]
    return error.code == HTTPStatus.FORBIDDEN and details[0].get("domain") == "usageLimits"


class BoundedBackOffHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client with at most `max_attempts` tries per request, exponential back-off
    with jitter (honouring Retry-After, capped), and origin rewriting for local stand-ins."""

    max_attempts = 4
    base_delay_s = 1.0
    max_delay_s = 8.0
    sheets_base: str | None = None
    drive_base: str | None = None

    def _rewrite(self, endpoint: str) -> str:
        if self.sheets_base and endpoint.startswith(SHEETS_ORIGIN):
            return self.sheets_base.rstrip("/") + endpoint[len(SHEETS_ORIGIN) :]
        if self.drive_base and endpoint.startswith(DRIVE_ORIGIN):
            return self.drive_base.rstrip("/") + endpoint[len(DRIVE_ORIGIN) :]
        return endpoint

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        url = self._rewrite(endpoint)
        for attempt in range(1, self.max_attempts + 1):
            try:
                draw_for_url(endpoint)  # every call spends from the project-wide budget (shared/quota)
                return super().request(method, url, *args, **kwargs)
            except APIError as error:
                retry_after = error.response.headers.get("Retry-After", "")
                if error.code == HTTPStatus.TOO_MANY_REQUESTS:
                    throttled_for_url(endpoint, retry_after)  # the whole deployment pauses
                if not is_retryable(error) or attempt == self.max_attempts:
                    raise
                delay = (
                    float(retry_after) if retry_after.isdigit() else self.base_delay_s * 2 ** (attempt - 1)
                )
                reason = f"HTTP {error.code}"
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt == self.max_attempts:
                    raise
                delay, reason = self.base_delay_s * 2 ** (attempt - 1), type(error).__name__
            delay = min(delay, self.max_delay_s) * random.uniform(0.8, 1.2)
            log_event(
                logger, 30, "sheets request retry", attempt=attempt, reason=reason, delay_s=round(delay, 2)
            )
            time.sleep(delay)
        raise AssertionError("unreachable")


def _service_account_info(raw: str) -> dict[str, Any]:
    """SHEETS_SERVICE_ACCOUNT_JSON holds the key JSON itself, or a path to it."""
    text = raw if raw.lstrip().startswith("{") else Path(raw).read_text()
    try:
        info = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError("SHEETS_SERVICE_ACCOUNT_JSON is not valid service-account JSON") from exc
    if info.get("type") != "service_account":
        raise ConfigError("SHEETS_SERVICE_ACCOUNT_JSON must be a service account key (type service_account)")
    return dict(info)


def build_client(
    *,
    base_delay_s: float | None = None,
    max_attempts: int | None = None,
    scopes: tuple[str, ...] = SCOPES,
) -> gspread.Client:
    """A gspread client authorised as the configured service account (token fetched lazily)."""
    from google.oauth2.service_account import Credentials

    settings = get_settings()
    info = _service_account_info(require("sheets_service_account_json"))
    credentials = Credentials.from_service_account_info(info, scopes=list(scopes))
    http_class = type(
        "ConfiguredHTTPClient",
        (BoundedBackOffHTTPClient,),
        {
            "sheets_base": settings.sheets_api_base,
            "drive_base": settings.drive_api_base,
            "base_delay_s": base_delay_s
            if base_delay_s is not None
            else BoundedBackOffHTTPClient.base_delay_s,
            "max_attempts": max_attempts or BoundedBackOffHTTPClient.max_attempts,
        },
    )
    client = gspread.Client(auth=credentials, http_client=http_class)
    # (connect, read) timeouts: gspread sets none by default and would wait forever.
    client.set_timeout((min(5.0, settings.sheets_request_timeout_s), settings.sheets_request_timeout_s))
    return client


@per_instance
def gspread_client() -> gspread.Client:
    """The instance's Google Sheets client (service account, explicit timeout, bounded back-off)."""
    return build_client()


@per_instance
def gspread_writer() -> gspread.Client:
    """The same client with the scope to write (the Orders/Bookings tabs)."""
    return build_client(scopes=WRITE_SCOPES)
