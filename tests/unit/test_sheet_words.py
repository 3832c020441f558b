"""The per-language sheet word tables (shared/i18n/sheet_words/*.json) and how cells read with them."""

from __future__ import annotations

from datetime import date

import pytest

from shared.catalog.cells import CellError, parse_date, parse_flag, parse_kind, parse_stock
from shared.catalog.columns import COLUMNS, map_headers
from shared.catalog.safety import header_anomaly
from shared.catalog.words import LANGUAGES, lexicon, locale_for, normalise, table


def test_every_language_has_every_list_and_column() -> None:
    for language in LANGUAGES:
        data = table(language)
        assert set(data["headers"]) == set(COLUMNS), language
        assert len(data["weekdays"]) == 7, language
        lists = (
            "yes",
            "no",
            "in_stock",
            "out_of_stock",
            "made_to_order",
            "count_phrases",
            "service",
            "info_tabs",
        )
        for key in lists:
            assert data[key], (language, key)
        assert set(data["info_topics"]) >= {"hours", "address", "delivery", "returns", "payment"}


def test_no_header_word_means_two_columns_and_no_weekday_two_days() -> None:
    words = lexicon()
    assert {k: v for k, v in words.headers.items() if len(set(v.values())) > 1} == {}
    assert {k: v for k, v in words.weekdays.items() if len(set(v.values())) > 1} == {}
    clash = {k for k in words.words["yes"] if k in words.words["no"]}
    assert clash == set()


@pytest.mark.parametrize(
    ("headers", "language", "columns"),
    [
        (["Produto", "Preço", "Estoque"], "pt", ["name", "price", "stock"]),
        (["PRODUTOS", "PRECOS", "ESTOQUE"], "pt", ["name", "price", "stock"]),
        (["Producto", "Precio", "Existencias", "Categoría"], "es", ["name", "price", "stock", "category"]),
        (["Produit", "Prix", "Quantité"], "fr", ["name", "price", "stock"]),
        (["Produk", "Harga", "Stok"], "id", ["name", "price", "stock"]),
        (["नाम", "कीमत", "स्टॉक"], "hi", ["name", "price", "stock"]),
        (["Naam", "Keemat", "Maal"], "hi", ["name", "price", "stock"]),
        (["SKU", "Name", "Price", "Stock"], "en", ["sku", "name", "price", "stock"]),
    ],
)
def test_headers_in_every_language(headers: list[str], language: str, columns: list[str]) -> None:
    mapped = map_headers(headers)
    assert sorted(mapped.positions, key=mapped.positions.__getitem__) == columns
    assert mapped.language == language


def test_accents_are_optional() -> None:
    assert normalise("Preço") == normalise("Preco") == "preco"
    assert normalise("कीमत") == "कीमत"  # Devanagari vowel signs are letters, not accents


@pytest.mark.parametrize(
    ("cell", "count", "hint"),
    [
        ("esgotado", 0, "out"),
        ("agotado", 0, "out"),
        ("Épuisé", 0, "out"),
        ("habis", 0, "out"),
        ("khatam", 0, "out"),
        ("ख़त्म", 0, "out"),
        ("5 left", 5, None),
        ("restam 5", 5, None),
        ("quedan 5", 5, None),
        ("il reste 5", 5, None),
        ("sisa 5", 5, None),
        ("5 bache", 5, None),
        ("५ बचे", 5, None),
        ("restam ١٢", 12, None),
        ("disponível", None, "in_stock"),
        ("sin existencia", 0, "out"),
        ("últimas 2", 2, None),
        ("sob encomenda", None, None),
        ("bajo pedido", None, None),
        ("PO", None, None),
        ("10+", 10, None),
    ],
)
def test_stock_phrasings(cell: str, count: int | None, hint: str | None) -> None:
    stock = parse_stock(cell, locale="en-US")
    assert (stock.count, stock.hint) == (count, hint)


@pytest.mark.parametrize(("cell", "locale", "count"), [("1.000", "pt-BR", 1000), ("1,000", "en-US", 1000)])
def test_stock_thousands_by_locale(cell: str, locale: str, count: int) -> None:
    assert parse_stock(cell, locale=locale).count == count


@pytest.mark.parametrize(("cell", "locale"), [("1.000", "en-US"), ("1,000", "pt-BR"), ("1,5", "pt-BR")])
def test_ambiguous_stock_is_refused_not_guessed(cell: str, locale: str) -> None:
    with pytest.raises(CellError):
        parse_stock(cell, locale=locale)


def test_yes_no_and_kinds_in_every_language() -> None:
    assert all(parse_flag(w) for w in ("Sim", "sí", "oui", "ya", "haan", "हाँ", "✓"))
    assert not any(parse_flag(w) for w in ("Não", "no", "non", "tidak", "nahi", "नहीं"))
    words = ("Serviço", "servicio", "prestation", "jasa", "सेवा", "Produto", "Vestido")
    assert [parse_kind(w) for w in words] == [*["service"] * 5, "product", None]


def test_dates_follow_the_locale() -> None:
    assert parse_date("05/12/2026", locale="pt-BR") == date(2026, 12, 5)
    assert parse_date("05/12/2026", locale="en-US") == date(2026, 5, 12)
    assert parse_date("15/12", locale="fr-FR", today=date(2026, 12, 3)) == date(2026, 12, 15)
    assert parse_date("15 de dezembro de 2026", locale="pt-BR") == date(2026, 12, 15)
    assert parse_date("3 janvier", locale="fr-FR", today=date(2026, 12, 3)) == date(2027, 1, 3)


def test_locale_guess_from_language_and_currency() -> None:
    assert (locale_for("pt", "BRL"), locale_for("pt", "EUR"), locale_for("es", "MXN")) == (
        "pt-BR",
        "pt-PT",
        "es-MX",
    )
    assert (locale_for("fr"), locale_for("id"), locale_for("hi", "INR")) == ("fr-FR", "id-ID", "hi-IN")


def test_a_missing_required_column_is_reported_with_the_closest_known_name() -> None:
    header = map_headers(["Produto", "Precco", "Estoque"])
    message = header_anomaly(header.missing, header.suggestions)
    assert message == 'header row lacks price column(s) (is "Precco" Preço?): kept the last good catalog'
