"""Message templates, declared once: the only messages WhatsApp lets a business start outside
the 24-hour customer-service window.

Each template is data: its name, Meta category, the languages it is approved in (our language
code -> Meta's code, e.g. `pt` -> `pt_BR`), and its parameters by name, in `{{1}}`, `{{2}}` order.
Its body text per language lives in the message catalog (`shared/i18n/messages/<lang>.edge.json`,
key `template_<name>`), which is what the shop submits for approval (README "Templates") and what
the dashboard shows for a template that went out.

Parameters are flattened before sending: Meta refuses a parameter with a newline, a tab or more
than four consecutive spaces ("Param text cannot have new-line/tab characters or more than 4
consecutive spaces", error 132018), and cut to MAX_PARAM_CHARS. The parameter holds only the
variable part (an item's name, the notice itself), never a sentence the template already says,
so nothing is said twice. The customer's language picks the template language, falling back to
the shop's language, then English.

Twilio sends templates through its Content API: `ContentSid` (the approved Content template, one
per template and language, from `TWILIO_CONTENT_SIDS`) and `ContentVariables` (`{"1": ...}`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from shared.errors import ConfigError

MAX_PARAM_CHARS = 900  # Meta: a body of at most 1,024 characters, parameters included
LANGUAGE_CODES = {"en": "en_US", "es": "es", "pt": "pt_BR", "fr": "fr", "id": "id", "hi": "hi"}


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    category: Literal["UTILITY", "MARKETING"]
    params: tuple[str, ...]  # names of {{1}}, {{2}}, … in order
    languages: tuple[str, ...] = tuple(LANGUAGE_CODES)

    def language_code(self, lang: str | None, shop_lang: str | None = None) -> str:
        """Meta's code for the first of (customer's language, shop's language, English) that this
        template is approved in."""
        for candidate in (lang, shop_lang, "en"):
            if candidate in self.languages:
                return LANGUAGE_CODES[candidate]
        return LANGUAGE_CODES[self.languages[0]]

    def body(self, lang: str) -> str:
        """The approved body text in `lang` (`{{1}}`… placeholders), from the message catalog."""
        from shared.i18n.catalog import DEFAULT_LANGUAGE, messages

        # Read raw: the `{{1}}` placeholders are Meta's, not format fields.
        key = f"template_{self.name}"
        text = messages(lang).get(key) or messages(DEFAULT_LANGUAGE)[key]
        return str(text)


TEMPLATES = {
    spec.name: spec
    for spec in (
        # An alert or notice to the shop owner (or any account notice).
        TemplateSpec("account_notification", "UTILITY", ("business", "notice")),
        # A customer asked to be told when an item is back: UTILITY (they requested it).
        TemplateSpec("back_in_stock", "UTILITY", ("item", "business")),
        # An order or booking status change the customer is waiting for. This one and the
        # reminder wrap a notice that is already a whole sentence in the customer's language,
        # so their body adds only the shop's name (nothing said twice).
        TemplateSpec("order_update", "UTILITY", ("business", "notice")),
        # The day-before reminder of a booking.
        TemplateSpec("booking_reminder", "UTILITY", ("business", "notice")),
        # A broadcast the shop sends to opted-in customers.
        TemplateSpec("announcement", "MARKETING", ("business", "notice")),
    )
}

_SPACES = re.compile(r" {4,}")
_BREAKS = re.compile(r"\s*[\r\n\t\f\v]+\s*")


def flatten(text: str, limit: int = MAX_PARAM_CHARS) -> str:
    """`text` as Meta accepts it in a parameter: one line, no tab, at most 3 spaces in a row,
    at most `limit` characters (cut at a word, with an ellipsis), never empty."""
    flat = _SPACES.sub("   ", _BREAKS.sub(" · ", text.strip()))
    if len(flat) > limit:
        cut = flat[: limit - 1]
        flat = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut).rstrip(" ·") + "…"
    return flat or "-"


def params_for(spec: TemplateSpec, values: dict[str, str]) -> tuple[str, ...]:
    """The flattened parameters of `spec`, in order; ConfigError naming any that is missing."""
    missing = [p for p in spec.params if not values.get(p)]
    if missing:
        raise ConfigError(f"template {spec.name} needs the parameters {missing}")
    return tuple(flatten(values[p]) for p in spec.params)


def spec(name: str) -> TemplateSpec:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ConfigError(f"unknown template {name!r}; declared: {sorted(TEMPLATES)}") from None


def render(name: str, lang: str, params: tuple[str, ...]) -> str:
    """The text the customer reads: the body in `lang` with its parameters filled."""
    text = spec(name).body(lang)
    for n, value in enumerate(params, 1):
        text = text.replace(f"{{{{{n}}}}}", value)
    return text


def twilio_content_sid(name: str, language_code: str, configured: str | None) -> str:
    """The Twilio Content template SID for `name` in `language_code`, from `TWILIO_CONTENT_SIDS`
    (JSON: `{"back_in_stock": {"pt_BR": "HX…", "en_US": "HX…"}}`)."""
    try:
        table = json.loads(configured or "{}")
        sids = table.get(name) or {}
        sid = sids.get(language_code) or sids.get("en_US")
    except (ValueError, AttributeError):
        raise ConfigError("TWILIO_CONTENT_SIDS is not valid JSON: {name: {language_code: sid}}") from None
    if not sid:
        raise ConfigError(f"no Twilio Content template for {name} ({language_code}): set TWILIO_CONTENT_SIDS")
    return str(sid)
