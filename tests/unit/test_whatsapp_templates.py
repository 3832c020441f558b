"""Templates declared once, with parameters Meta accepts and the customer's language."""

from __future__ import annotations

import re

import pytest

from shared.i18n.catalog import LANGUAGES, messages
from shared.whatsapp.graph import message_body
from shared.whatsapp.outbound import OutboundMessage, as_template
from shared.whatsapp.templates import MAX_PARAM_CHARS, TEMPLATES, flatten

# Meta refuses a parameter with a newline or tab, or more than 4 consecutive spaces.
META_REFUSES = re.compile(r"[\n\t]| {5,}")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_has_a_body_in_every_language_with_its_parameters(name: str, lang: str) -> None:
    body = messages(lang)[f"template_{name}"]
    placeholders = sorted(set(re.findall(r"\{\{(\d+)\}\}", body)))
    assert placeholders == [str(n) for n in range(1, len(TEMPLATES[name].params) + 1)]
    # Meta refuses a template whose body starts or ends with a variable.
    assert not body.startswith("{{") and not body.rstrip(".!?) ").endswith("}}")


@pytest.mark.parametrize(
    "text",
    [
        "[WARNING] Stock running low\nDenim Jacket: 2 left\n(Shop, alert x)",
        "tab\there     and      spaces",
        "x" * 5000,
        "\n\n",
    ],
)
def test_parameters_are_flattened_and_cut(text: str) -> None:
    flat = flatten(text)
    assert not META_REFUSES.search(flat)
    assert 0 < len(flat) <= MAX_PARAM_CHARS


def test_an_owner_alert_goes_out_as_a_template_meta_accepts() -> None:
    alert = "[WARNING] Denim Jacket runs out in 2 days\nStock 3, selling 1.5 a day\n(Test Shop, alert a1)"
    sent = as_template(OutboundMessage(text=alert), "account_notification", business="Test Shop")
    body = message_body("15550001111", sent)
    params = [p["text"] for p in body["template"]["components"][0]["parameters"]]
    assert params[0] == "Test Shop" and "Denim Jacket runs out" in params[1]
    assert not any(META_REFUSES.search(p) for p in params)
    assert body["template"]["language"]["code"] == "en_US"


def test_back_in_stock_says_it_once_in_the_customers_language() -> None:
    notice = OutboundMessage(
        text="Boa notícia: Jaqueta voltou!", template_values=(("item", "Jaqueta Jeans (R$ 89,90)"),)
    )
    sent = as_template(notice, "back_in_stock", lang="pt", shop_lang="en", business="Loja Azul")
    assert sent.template is not None
    assert sent.template.language == "pt_BR"
    assert sent.template.body_params == ("Jaqueta Jeans (R$ 89,90)", "Loja Azul")
    assert sent.text.count("estoque") == 1 and "Boa notícia: Boa notícia" not in sent.text
    assert "Good news" not in sent.text


def test_the_template_language_falls_back_to_the_shop_then_english() -> None:
    notice = OutboundMessage(text="x", template_values=(("item", "Kurta"),))
    assert (
        as_template(notice, "back_in_stock", lang="de", shop_lang="hi", business="B").template.language
        == "hi"
    )  # type: ignore[union-attr]
    assert (
        as_template(notice, "back_in_stock", lang=None, shop_lang="de", business="B").template.language
        == "en_US"
    )  # type: ignore[union-attr]
