"""What the customer reads about their order or booking, in their language (pure).

Texts come from the message catalog (`shared/i18n/messages/commerce.<lang>.json`); amounts and
dates are formatted for the customer's language in the shop's country (Babel).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from babel.dates import format_date

from shared.commerce.orders import Shortage
from shared.i18n.catalog import language_of, message
from shared.money import babel_locale, format_money

# Status changes the customer is told about when staff make them (placing and booking are
# answered by the conversation itself).
ORDER_NOTICES = {
    "confirmed": "commerce_order_confirmed",
    "paid": "commerce_order_paid",
    "fulfilled": "commerce_order_fulfilled",
    "cancelled": "commerce_order_cancelled",
}
BOOKING_NOTICES = {"cancelled": "commerce_booking_cancelled"}


def display_locale(lang: str, tenant_locale: str) -> str:
    """The customer's language in the shop's country (`pt` + `pt-BR` -> `pt-BR`; `en` + `pt-BR`
    -> `en-BR`, which Babel knows as English with Brazilian conventions, else plain `en`)."""
    region = tenant_locale.replace("_", "-").partition("-")[2]
    if language_of(tenant_locale) == lang or not region:
        return tenant_locale if language_of(tenant_locale) == lang else lang
    candidate = f"{lang}-{region}"
    return candidate if str(babel_locale(candidate)).startswith(f"{lang}_") else lang


def items_text(items: Iterable[Mapping[str, Any]], lang: str) -> str:
    return ", ".join(
        message("commerce_order_line", lang, quantity=i["quantity"], name=i["name"]) for i in items
    )


def order_text(key: str, order: Mapping[str, Any], *, lang: str, locale: str, shop: str) -> str:
    """`order_placed` / `order_confirmed` / ... for the order document `order`."""
    return message(
        key,
        lang,
        order_id=order["order_id"],
        items=items_text(order["items"], lang),
        total=format_money(int(order["total_minor"]), str(order["currency"]), locale),
        shop=shop,
    )


def when_text(day: str, start: str, *, locale: str) -> str:
    """`2026-12-05`, `10:00` -> `Saturday, 5 December 2026, 10:00` in the locale's words."""
    written = format_date(date.fromisoformat(day), format="full", locale=babel_locale(locale))
    return f"{written}, {start}"


def booking_text(key: str, booking: Mapping[str, Any], *, lang: str, locale: str) -> str:
    return message(
        key,
        lang,
        service=booking["name"],
        when=when_text(str(booking["date"]), str(booking["start"]), locale=locale),
    )


def shortage_text(shortages: Iterable[Shortage], names: Mapping[str, str], *, lang: str) -> str:
    """The customer-facing explanation of why an order could not be placed."""
    parts = []
    for s in shortages:
        name = names.get(s.sku, s.sku)
        if s.reason == "service":
            parts.append(message("commerce_order_service_line", lang, name=name))
        elif s.reason == "unavailable" or s.available <= 0:
            parts.append(message("commerce_order_unavailable_line", lang, name=name))
        else:
            parts.append(
                message("commerce_order_short_line", lang, name=name, available=s.available, wanted=s.wanted)
            )
    return message("commerce_order_short", lang, shortages="; ".join(parts))
