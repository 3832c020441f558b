import pytest

from shared.errors import ConfigError
from shared.log import JsonFormatter, get_logger, log_event
from shared.settings import get_settings, require


def test_missing_required_setting_names_the_environment_variable(monkeypatch):
    monkeypatch.delenv("WHATSAPP_APP_SECRET", raising=False)
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="WHATSAPP_APP_SECRET"):
        require("whatsapp_app_secret")


def test_required_secret_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "s3cr3t")
    get_settings.cache_clear()
    assert require("whatsapp_app_secret") == "s3cr3t"
    assert "s3cr3t" not in repr(get_settings())


def test_logs_are_one_json_object_with_severity_and_secrets_redacted(caplog):
    import json
    import logging

    logger = get_logger("test")
    with caplog.at_level(logging.INFO):
        log_event(logger, logging.WARNING, "provider failed", provider="openai", api_key="sk-live-123")
    line = JsonFormatter().format(caplog.records[-1])
    entry = json.loads(line)
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "provider failed"
    assert entry["provider"] == "openai"
    assert "sk-live-123" not in line


def test_phone_numbers_in_provider_error_text_are_masked_in_logs(caplog):
    import json
    import logging

    logger = get_logger("test")
    with caplog.at_level(logging.INFO):
        log_event(
            logger,
            logging.ERROR,
            "send failed",
            error="Twilio 400 code 21211: The 'To' number +15550001111 is not a valid phone number.",
            at="2026-11-25T02:29:22",
            sku="SKU-001",
        )
    entry = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert "15550001111" not in entry["error"] and "[number]" in entry["error"]
    assert "code 21211" in entry["error"]  # error codes stay readable
    assert (entry["at"], entry["sku"]) == ("2026-11-25T02:29:22", "SKU-001")
