"""The declared templates: bodies Meta accepts in every language, parameters flattened and cut to
Meta's limits, the customer's language picking the template language, Twilio Content fields."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import ConfigError
from shared.i18n.catalog import LANGUAGES, messages
from shared.whatsapp.outbound import OutboundMessage
from shared.whatsapp.templates import (
    ANNOUNCEMENT,
    BACK_IN_STOCK,
    BODY_MAX,
    BOOKING_REMINDER,
    FOLLOW_UP,
    ORDER_UPDATE,
    OWNER_ALERT,
    TEMPLATES,
    WEEKLY_SUMMARY,
    TemplateUse,
    approval_list,
    flatten,
    render,
    template_code,
)
from shared.whatsapp.twilio_api import message_form

PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


def meta_accepts(value: str) -> bool:
    """Meta's rule for a body parameter (error 132018)."""
    return bool(value) and "\n" not in value and "\t" not in value and "     " not in value


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_body_is_one_meta_accepts(name: str, lang: str) -> None:
    spec = TEMPLATES[name]
    assert spec.key in messages(lang), f"{name} has no text in {lang}"
    body = spec.body(lang)
    numbers = [int(n) for n in PLACEHOLDER.findall(body)]
    assert numbers == list(range(1, len(spec.params) + 1))  # each once, in order
    assert not body.startswith("{{") and not body.rstrip().endswith("}}")  # refused by Meta
    assert len(body) <= BODY_MAX // 2
    assert "{" not in PLACEHOLDER.sub("", body)


def test_the_declared_set_is_what_the_product_sends() -> None:
    declared = {
        OWNER_ALERT,
        WEEKLY_SUMMARY,
        BACK_IN_STOCK,
        ANNOUNCEMENT,
        BOOKING_REMINDER,
        ORDER_UPDATE,
        FOLLOW_UP,
    }
    assert declared == set(TEMPLATES)
    assert TEMPLATES[ANNOUNCEMENT].category == "MARKETING"
    assert [p.name for p in TEMPLATES[ANNOUNCEMENT].params] == ["text"]


def test_an_owner_alert_with_line_breaks_tabs_and_spaces_is_flattened() -> None:
    use = TemplateUse.of(
        OWNER_ALERT,
        shop="Test Outfitters",
        title="[CRITICAL] Denim Jacket runs out in 2 days",
        details="Stock 3\nSelling 1.5/day\n\n\tReorder now      please",
    )
    message = render(use, "en-US")
    assert message.template is not None
    assert all(meta_accepts(v) for v in message.template.body_params)
    assert message.template.body_params[2] == "Stock 3 · Selling 1.5/day · Reorder now please"
    assert message.template.language == "en_US"


def test_back_in_stock_says_it_once() -> None:
    use = TemplateUse.of(BACK_IN_STOCK, shop="Test Outfitters", item="Denim Jacket ($89.00)")
    text = render(use, "en").text
    assert text == (
        "Good news from Test Outfitters: Denim Jacket ($89.00) is back in stock. "
        "Reply to this message to order it."
    )
    assert text.lower().count("good news") == 1 and text.count("back in stock") == 1


def test_a_value_ending_a_sentence_before_the_bodys_full_stop_loses_its_own() -> None:
    use = TemplateUse.of(OWNER_ALERT, shop="Bela Ltda.", title="Estoque baixo!", details="Reponha.")
    message = render(use, "pt")
    assert message.template is not None
    assert message.template.body_params == ("Bela Ltda", "Estoque baixo!", "Reponha.")
    assert ".." not in message.text and ".:" not in message.text


@given(st.text(min_size=0, max_size=5000))
def test_any_text_becomes_parameters_meta_accepts(text: str) -> None:
    for name in (FOLLOW_UP, OWNER_ALERT, WEEKLY_SUMMARY):
        spec = TEMPLATES[name]
        use = TemplateUse.of(name, **{p.name: text for p in spec.params})
        message = render(use, "fr")
        assert message.template is not None
        assert all(meta_accepts(v) for v in message.template.body_params)
        for param, value in zip(spec.params, message.template.body_params, strict=True):
            assert len(value) <= param.max_chars
        assert len(message.text) <= BODY_MAX


def test_a_long_broadcast_is_cut_at_a_word_within_the_limit() -> None:
    text = "Summer sale on every dress and every shoe. " * 60
    message = render(TemplateUse.of(ANNOUNCEMENT, text=text), "en")
    assert message.template is not None
    (value,) = message.template.body_params
    assert len(value) <= TEMPLATES[ANNOUNCEMENT].params[0].max_chars and value.endswith("…")
    assert not value[:-1].endswith(" ")


@pytest.mark.parametrize(
    ("language", "shop", "approved", "code"),
    [
        ("pt-BR", None, (), "pt_BR"),
        ("pt-PT", None, (), "pt_PT"),
        ("pt", None, (), "pt_BR"),
        ("pt", "pt-PT", (), "pt_PT"),  # the shop's region for its own language
        ("es", "es-MX", (), "es_MX"),
        ("en", "pt-BR", (), "en_US"),
        ("es-AR", None, (), "es_AR"),
        ("es-CO", None, (), "es"),
        ("en-GB", None, (), "en_GB"),
        ("hi", None, (), "hi"),
        ("id-ID", None, (), "id"),
        ("de-DE", "fr-FR", (), "fr"),  # not a language of ours: the shop's
        (None, None, (), "en_US"),
        ("pt-PT", None, ("pt_BR", "en_US"), "pt_BR"),  # only pt_BR approved
        ("fr", "es-MX", ("es_MX", "en_US"), "es_MX"),  # French not approved: the shop's language
        ("fr", None, ("es",), "es"),
    ],
)
def test_the_customers_language_picks_the_template_language(
    language: str | None, shop: str | None, approved: tuple[str, ...], code: str
) -> None:
    assert template_code(language, shop_language=shop, approved=approved) == code


def test_the_text_stored_for_the_inbox_is_the_body_in_that_language() -> None:
    use = TemplateUse.of(
        BOOKING_REMINDER, shop="Salão Bela", service="Corte", date="sábado, 5 de dezembro", time="10:00"
    )
    message = render(use, "pt-BR")
    assert message.text.startswith(
        "Lembrete de Salão Bela: seu horário de Corte é em sábado, 5 de dezembro às 10:00."
    )


def test_a_template_is_used_with_exactly_its_parameters() -> None:
    with pytest.raises(ValueError, match="takes"):
        TemplateUse.of(BACK_IN_STOCK, item="x")
    with pytest.raises(ValueError, match="no template"):
        TemplateUse.of("account_notification", text="x")


def test_twilio_sends_a_template_as_content_sid_and_variables() -> None:
    message = render(TemplateUse.of(FOLLOW_UP, shop="Bela", text="Olá\nde novo"), "pt-BR")
    sids = {"follow_up": "HX0000", "follow_up.pt_BR": "HX1111"}
    form = message_form("14155550000", "5511999990000", message, sids)
    assert form["ContentSid"] == "HX1111" and "Body" not in form
    assert json.loads(form["ContentVariables"]) == {"1": "Bela", "2": "Olá · de novo"}
    assert (
        message_form("1", "2", render(TemplateUse.of(FOLLOW_UP, shop="B", text="t"), "fr"), sids)[
            "ContentSid"
        ]
        == "HX0000"
    )
    with pytest.raises(ConfigError, match="twilio_content_sids"):
        message_form("1", "2", message, {})
    assert message_form("1", "2", OutboundMessage(text="hi"), {})["Body"] == "hi"


def test_flatten_joins_lines_as_sentences() -> None:
    assert flatten("Hello.\nSecond line\nthird") == "Hello. Second line · third"
    assert flatten("  a \t  b  ") == "a b"


def test_the_approval_list_names_every_template_and_language() -> None:
    listed = approval_list()
    for name in TEMPLATES:
        assert f"`{name}`" in listed
    assert "pt_BR, pt_PT: Boa notícia de {{1}}: {{2}} voltou ao estoque." in listed


def test_the_owner_notices_use_declared_templates() -> None:
    from shared.alerts.notify import alert_notice
    from shared.tenants import TenantConfig

    tenant = TenantConfig(tenant_id="t", phone_number_id="1", source="file:x", business_name="Shop")
    notice = alert_notice(
        tenant, "a1", {"severity": "critical", "title": "Sheet stale", "message": "No\nread"}
    )
    use = TemplateUse.of(notice.template, **dict(notice.values))
    assert render(use, "en").template is not None


def test_the_readme_lists_the_templates_as_declared() -> None:
    from tests.conftest import ROOT

    assert approval_list() in (ROOT / "README.md").read_text(encoding="utf-8")
