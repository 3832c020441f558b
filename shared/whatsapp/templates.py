"""The message templates the product sends, each declared once, as data.

Outside WhatsApp's 24-hour customer-service window only a template the business had approved
(Meta Business Manager, or Twilio Content templates) may be sent. Each template here has its
name, category, the texts that fill its parameters (in order: `{{1}}`, `{{2}}`…) and a body per
language; the body texts live in the message catalog (`template.<name>` in
`shared/i18n/messages/<lang>.platform.json`) with named placeholders, which become `{{n}}` for
Meta. `approval_list()` prints what to submit (see the README's "Templates to get approved").

Meta refuses a parameter that holds a newline or a tab or more than four consecutive spaces
(error 132018) and a body over 1,024 characters, so every value is flattened and cut here
(`fill`); a body never starts or ends with a parameter (Meta refuses those too), and the wording
around a parameter never repeats what the parameter says.

The customer's language picks the template's language: the exact Meta code when declared
(`pt-PT` -> `pt_PT`; a bare `pt` takes the shop's region when the shop speaks it too), else the
language's first code (`pt` -> `pt_BR`), else the shop's own language, else `en_US`; a tenant
may list the codes it had approved (`template_languages`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shared.i18n.catalog import LANGUAGES, language_of, message
from shared.whatsapp.outbound import OutboundMessage, Template

Category = Literal["UTILITY", "MARKETING"]

BODY_MAX = 1024  # Meta: a body, parameters filled in, is at most 1,024 characters
ELLIPSIS = "…"

# Meta's template language codes for each catalog language; the first is the language's default.
LANGUAGE_CODES: dict[str, tuple[str, ...]] = {
    "en": ("en_US", "en_GB"),
    "es": ("es", "es_MX", "es_ES", "es_AR"),
    "pt": ("pt_BR", "pt_PT"),
    "fr": ("fr",),
    "id": ("id",),
    "hi": ("hi",),
}
DEFAULT_CODE = "en_US"


@dataclass(frozen=True)
class Param:
    """One body parameter: the text that fills it and how long it may be."""

    name: str
    max_chars: int
    about: str


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    category: Category
    params: tuple[Param, ...]
    purpose: str

    @property
    def key(self) -> str:
        return f"template.{self.name}"

    def body(self, lang: str) -> str:
        """The body to submit for approval in `lang`, with Meta's `{{1}}`… placeholders."""
        return message(self.key, lang, **{p.name: f"{{{{{n}}}}}" for n, p in enumerate(self.params, 1)})

    def codes(self) -> tuple[str, ...]:
        return tuple(code for lang in LANGUAGES for code in LANGUAGE_CODES[lang])


SHOP = Param("shop", 60, "the shop's name")
OWNER_ALERT = "owner_alert"
WEEKLY_SUMMARY = "weekly_summary"
BACK_IN_STOCK = "back_in_stock"
ANNOUNCEMENT = "announcement"
BOOKING_REMINDER = "booking_reminder"
ORDER_UPDATE = "order_update"
FOLLOW_UP = "follow_up"

TEMPLATES: dict[str, TemplateSpec] = {
    spec.name: spec
    for spec in (
        TemplateSpec(
            OWNER_ALERT,
            "UTILITY",
            (SHOP, Param("title", 120, "the alert's title"), Param("details", 600, "what happened")),
            "an alert to the owner (stock running out, sheet failing…) outside the 24 h window",
        ),
        TemplateSpec(
            WEEKLY_SUMMARY,
            "UTILITY",
            (SHOP, Param("period", 60, "the week's dates"), Param("summary", 800, "the week's figures")),
            "the owner's weekly summary outside the 24 h window",
        ),
        TemplateSpec(
            BACK_IN_STOCK,
            "MARKETING",
            (SHOP, Param("item", 200, "the item's name and price")),
            "tells a customer who tapped 'Notify me' that the item is back",
        ),
        TemplateSpec(
            ANNOUNCEMENT,
            "MARKETING",
            (Param("text", 900, "the broadcast's text, as staff wrote it"),),
            "a broadcast from the staff area to a segment of customers",
        ),
        TemplateSpec(
            BOOKING_REMINDER,
            "UTILITY",
            (
                SHOP,
                Param("service", 120, "the booked service"),
                Param("date", 60, "the day, in the customer's language"),
                Param("time", 30, "the time, in the shop's timezone"),
            ),
            "reminds a customer of a booking, the day before",
        ),
        TemplateSpec(
            ORDER_UPDATE,
            "UTILITY",
            (SHOP, Param("update", 600, "what changed: the order or booking and its new status")),
            "tells a customer their order or booking changed (confirmed, ready, cancelled…)",
        ),
        TemplateSpec(
            FOLLOW_UP,
            "UTILITY",
            (SHOP, Param("text", 900, "the reply, as the assistant or staff wrote it")),
            "a reply (assistant or staff) that could not go out as free text: the window had closed",
        ),
    )
}


@dataclass(frozen=True)
class TemplateUse:
    """A declared template and the values for its parameters (language chosen at send time)."""

    name: str
    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, name: str, **values: str) -> TemplateUse:
        spec = spec_of(name)
        missing = [p.name for p in spec.params if p.name not in values]
        extra = sorted(set(values) - {p.name for p in spec.params})
        if missing or extra:
            raise ValueError(f"template {name!r} takes {[p.name for p in spec.params]}, got {sorted(values)}")
        return cls(name, tuple((p.name, str(values[p.name])) for p in spec.params))


def spec_of(name: str) -> TemplateSpec:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"no template {name!r} is declared: use one of {', '.join(TEMPLATES)}") from None


_SPACES = re.compile(r"\s+")
_END = ".!?…。।"


def flatten(text: str) -> str:
    """One line Meta accepts: line breaks joined as sentences, tabs and runs of spaces as one space."""
    parts = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    out = ""
    for part in filter(None, parts):
        if out:
            out += " " if out[-1] in _END or out[-1] in ":;," else " · "
        out += part
    return out


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word where one is near, marked with '…'."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    return head.rstrip(" ,;:·-") + ELLIPSIS


def fill(spec: TemplateSpec, use: TemplateUse, lang: str) -> tuple[str, ...]:
    """The parameter values as Meta accepts them: flat, never empty, each within its limit, and
    the whole body within BODY_MAX (the longest value is cut further when needed)."""
    raw = dict(use.values)
    body = spec.body(lang)
    values = []
    for n, param in enumerate(spec.params, 1):
        value = flatten(raw[param.name]) or "-"
        after = body.split(f"{{{{{n}}}}}", 1)[1][:1]
        if after and after in _END + ":;,":  # the body goes on with its own stop: never "..", "!.", ".:"
            value = value.rstrip(_END).rstrip() or value
        values.append(cut(value, param.max_chars))
    over = len(body) + sum(len(v) - len(f"{{{{{n}}}}}") for n, v in enumerate(values, 1)) - BODY_MAX
    if over > 0:
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        values[longest] = cut(values[longest], max(1, len(values[longest]) - over))
    return tuple(values)


def template_code(
    language: str | None, *, shop_language: str | None = None, approved: Iterable[str] = ()
) -> str:
    """The Meta language code for a customer writing in `language` (BCP 47 or Meta code)."""
    allowed = set(approved) or {c for codes in LANGUAGE_CODES.values() for c in codes}
    shop_parts = (shop_language or "").replace("-", "_").split("_")
    for tag in (language, shop_language):
        if not tag:
            continue
        parts = tag.replace("-", "_").split("_")
        lang = parts[0].lower()
        if len(parts) == 1 and len(shop_parts) > 1 and shop_parts[0].lower() == lang:
            parts = shop_parts  # `pt` in a shop in Portugal (`pt-PT`): pt_PT
        exact = f"{lang}_{parts[-1].upper()}" if len(parts) > 1 else lang
        candidates = [exact, *LANGUAGE_CODES.get(lang, ())]
        for code in candidates:
            if code in allowed:
                return code
    return DEFAULT_CODE if DEFAULT_CODE in allowed or not approved else sorted(allowed)[0]


def render(
    use: TemplateUse, language: str | None, *, shop_language: str | None = None, approved: Iterable[str] = ()
) -> OutboundMessage:
    """The template as it goes out: the Meta `Template` and, as `text`, the body as the customer
    reads it (stored for the inbox)."""
    spec = spec_of(use.name)
    code = template_code(language, shop_language=shop_language, approved=approved)
    lang = language_of(code)
    values = fill(spec, use, lang)
    text = message(spec.key, lang, **{p.name: v for p, v in zip(spec.params, values, strict=True)})
    return OutboundMessage(text=text, template=Template(name=spec.name, language=code, body_params=values))


def approval_list() -> str:
    """The templates to have approved, in Markdown: name, category, parameters, body per language."""
    lines: list[str] = []
    for spec in TEMPLATES.values():
        params = ", ".join(f"`{{{{{n}}}}}` {p.about}" for n, p in enumerate(spec.params, 1))
        lines += [
            f"#### `{spec.name}` ({spec.category.lower()}): {spec.purpose}",
            "",
            f"Parameters: {params}.",
            "",
        ]
        for lang in LANGUAGES:
            codes = ", ".join(LANGUAGE_CODES[lang])
            body = spec.body(lang).replace("\n\n", " ⏎⏎ ").replace("\n", " ⏎ ")
            lines.append(f"- {codes}: {body}")
        lines.append("")
    return "\n".join(lines)
