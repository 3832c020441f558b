"""What customers read about their orders and bookings: every language, local money and dates."""

from __future__ import annotations

import json

import pytest

from shared.commerce.notices import booking_text, display_locale, order_text, shortage_text
from shared.commerce.orders import Shortage
from shared.i18n.catalog import LANGUAGES, MESSAGES, message

ORDER = {
    "order_id": "O-ABC",
    "items": [{"name": "Camiseta", "quantity": 2}, {"name": "Cinto", "quantity": 1}],
    "total_minor": 123450,
    "currency": "BRL",
}


def test_every_commerce_message_exists_in_every_language_with_the_same_fields() -> None:
    english = json.loads((MESSAGES / "en.commerce.json").read_text())
    for lang in LANGUAGES:
        texts = json.loads((MESSAGES / f"{lang}.commerce.json").read_text())
        assert set(texts) == set(english), lang
        for key, text in texts.items():
            fields = {p.split("}")[0] for p in text.split("{")[1:]}
            assert fields == {p.split("}")[0] for p in english[key].split("{")[1:]}, (lang, key)


def test_order_notice_in_portuguese_with_brazilian_money() -> None:
    text = order_text("commerce_order_confirmed", ORDER, lang="pt", locale="pt-BR", shop="Loja")
    assert text == "Seu pedido O-ABC está confirmado: 2 × Camiseta, 1 × Cinto. Total R$\xa01.234,50."


def test_booking_notice_dates_in_the_customers_language() -> None:
    booking = {"name": "Corte", "date": "2026-12-05", "start": "10:00"}
    assert "sábado, 5 de diciembre de 2026, 10:00" in booking_text(
        "commerce_booking_cancelled", booking, lang="es", locale="es-MX"
    )
    assert "Saturday" in booking_text("commerce_booking_reminder", booking, lang="en", locale="en-US")


@pytest.mark.parametrize(
    ("lang", "tenant", "expected"),
    [
        ("pt", "pt-BR", "pt-BR"),
        ("en", "pt-BR", "en-BR"),
        ("fr", "en-US", "fr"),
        ("en", "en-IN", "en-IN"),
        ("hi", "en-IN", "hi-IN"),
    ],
)
def test_display_locale(lang: str, tenant: str, expected: str) -> None:
    assert display_locale(lang, tenant) == expected


def test_shortage_explains_each_line() -> None:
    text = shortage_text(
        [Shortage("A", 3, 1), Shortage("B", 1, 0, "unavailable"), Shortage("C", 1, 0, "service")],
        {"A": "Tee", "B": "Belt", "C": "Haircut"},
        lang="en",
    )
    assert "Tee: only 1 left (you asked for 3)" in text and "Belt is not available" in text
    assert "Haircut is booked as an appointment" in text


def test_unknown_language_falls_back_to_english() -> None:
    assert message("commerce_order_line", "de", quantity=1, name="X") == "1 × X"
