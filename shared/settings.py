"""One `Settings` object read from the environment.

Secrets arrive as environment variables (Secret Manager in the cloud, defaults from
`emulator.sh` locally). A function that needs a value calls `require("name")`, which fails fast
with a message naming the environment variable.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ConfigError

# The local stack's values (README "Local configuration"); emulator.sh sets the same defaults,
# and the CLI and benchmarks fall back to them when nothing else is configured.
LOCAL_STACK_DEFAULTS = {
    "GOOGLE_CLOUD_PROJECT": "demo-wacrm",
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
    "PUBSUB_EMULATOR_HOST": "127.0.0.1:8085",
    "WHATSAPP_APP_SECRET": "local-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "local-verify-token",
}


class Settings(BaseSettings):
    """Every setting the system reads; the env var is the field name in upper case."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    google_cloud_project: str = "demo-wacrm"
    firestore_emulator_host: str | None = None
    pubsub_emulator_host: str | None = None
    log_level: str = "INFO"

    # Pub/Sub topics (names as Terraform declares them).
    topic_catalog_changes: str = "catalog-changes"
    topic_inbound_messages: str = "inbound-messages"
    topic_conversation_events: str = "conversation-events"
    # Fan-out of the ticks (shared/scheduling): one message per due shop.
    topic_sheet_polls: str = "sheet-polls"
    topic_alert_evaluations: str = "alert-evaluations"
    # Pull subscription analytics_rollup drains on each tick.
    subscription_analytics: str = "analytics-rollup"

    # WhatsApp (Meta Cloud API) and Twilio.
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_access_token: SecretStr | None = None
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_api_base: str = "https://api.twilio.com"
    webhook_public_url: str | None = Field(
        default=None, description="URL Twilio signs; defaults to the request URL"
    )
    webhook_max_body_bytes: int = 1_000_000
    # The webhook waits at most this long for Firestore / Pub/Sub before answering 503 (Meta
    # retries); a dependency that keeps failing opens a circuit that answers 503 at once.
    webhook_store_timeout_s: float = 5.0
    webhook_publish_timeout_s: float = 2.0

    # LLM providers (no key: the offline responder answers).
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    gemini_api_key: SecretStr | None = None
    gemini_base_url: str | None = None
    gemini_model: str = "gemini-2.0-flash"
    deepseek_api_key: SecretStr | None = None
    deepseek_base_url: str = "https://api.deepseek.com"
    deepseek_model: str = "deepseek-chat"
    llm_timeout_s: float = 8.0
    # The worker waits this long after a message for more of a burst before answering it once.
    burst_window_s: float = 1.5

    # Google Sheets.
    sheets_service_account_json: SecretStr | None = None
    sheets_api_base: str | None = None
    drive_api_base: str | None = None
    sheets_request_timeout_s: float = 20.0
    # BulkWriter ceiling for large catalog imports (Firestore's 500/50/5 ramp-up applies in prod).
    sheet_write_ops_per_second: int = 500

    # Per-instance memory: catalog indexes of the shops a respond instance served, LRU by bytes.
    catalog_cache_mb: int = Field(default=256, ge=16)

    # The project-wide Google API budget (shared/quota): every Sheets and Drive call draws a
    # token. Defaults stay inside Google's default quotas with a margin: Sheets allows 60 read
    # requests a minute per user (one service account is one user; 300 per project), Drive
    # 12,000 queries a minute. Raise them after raising the quota in the Cloud console.
    quota_backend: Literal["firestore", "process"] = "process"
    quota_sheets_per_minute: int = Field(default=54, ge=1)
    quota_drive_per_minute: int = Field(default=10_000, ge=1)
    quota_max_wait_s: float = Field(default=20.0, ge=0)
    quota_hold_s: float = Field(default=5.0, gt=0, le=30)

    # Per-shop schedules (shared/scheduling). The poll tick's function re-checks for due shops
    # every DISPATCH_RECHECK_S for DISPATCH_WINDOW_S (under its timeout), which is how intervals
    # under Cloud Scheduler's one minute are served.
    dispatch_recheck_s: float = Field(default=1.0, gt=0)
    dispatch_window_s: float = Field(default=55.0, ge=0)
    poll_lease_s: float = Field(default=150.0, gt=0)
    poll_redispatch_s: float = Field(default=600.0, gt=0)
    poll_backoff_after_s: float = Field(default=3600.0, gt=0)
    poll_backoff_max_s: float = Field(default=900.0, gt=0)
    alerts_interval_s: int = Field(default=60, ge=60)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this instance, read once."""
    return Settings()


def require(name: str) -> str:
    """Return the setting `name` as a plain string, or raise ConfigError naming its env var."""
    value = getattr(get_settings(), name)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None or value == "":
        raise ConfigError(f"missing required setting: set the environment variable {name.upper()}")
    return str(value)


def secret(name: str) -> str | None:
    """The plain value of an optional secret setting, or None when unset."""
    value = getattr(get_settings(), name)
    if isinstance(value, SecretStr):
        return value.get_secret_value() or None
    return value or None
