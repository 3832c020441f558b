"""`tenant create|show`: a business's settings."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pydantic import ValidationError

from shared.errors import BadRequest, PermanentError, WacrmError
from shared.tenants import TenantConfig, get_tenant, save_tenant


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tenant", help="create, update or show a tenant")
    tsub = parser.add_subparsers(dest="tenant_command", required=True, metavar="ACTION")

    create = tsub.add_parser("create", help="create a tenant, or update an existing one's settings")
    create.add_argument("tenant", help="tenant id, e.g. demo")
    create.add_argument("--phone-number-id", help="the WhatsApp Cloud API phone_number_id")
    create.add_argument("--source", help="file:PATH (CSV/XLSX) or gsheets:SPREADSHEET_ID")
    create.add_argument("--worksheet", help="worksheet (tab) name; default: the first")
    create.add_argument(
        "--currency", help="ISO 4217 default currency, e.g. USD (default: guessed from the sheet)"
    )
    create.add_argument(
        "--locale",
        help="BCP 47 locale, e.g. pt-BR, es-MX, fr-FR, id-ID, en-IN (default: guessed from the sheet)",
    )
    create.add_argument("--timezone", help="IANA time zone of the business, e.g. America/Sao_Paulo")
    create.add_argument("--low-stock-threshold", type=int, help="stock at or below which status is low")
    create.add_argument("--lead-time-days", type=int, help="alert when stock-out is predicted within")
    create.add_argument(
        "--poll-interval", dest="poll_interval_s", type=int, help="seconds between sheet checks (5-3600)"
    )
    create.add_argument("--channel", choices=["sandbox", "meta", "twilio"], help="how replies are sent")
    create.add_argument("--business-name", help="name the assistant uses for the business")
    create.add_argument("--owner-wa-id", help="owner's WhatsApp number for alert notifications")
    create.add_argument("--notify-webhook-url", help="URL that receives alert notifications (JSON)")
    create.set_defaults(func=_create)

    show = tsub.add_parser("show", help="print a tenant's settings as JSON")
    show.add_argument("tenant")
    show.set_defaults(func=_show)

    push = tsub.add_parser(
        "push-secret", help="print the shop's own sheet-push secret (for its Apps Script), creating it"
    )
    push.add_argument("tenant")
    push.add_argument("--rotate", action="store_true", help="replace it (the old one stops working)")
    push.set_defaults(func=_push_secret)


_FIELDS = (
    "phone_number_id",
    "source",
    "worksheet",
    "currency",
    "locale",
    "timezone",
    "low_stock_threshold",
    "lead_time_days",
    "poll_interval_s",
    "channel",
    "business_name",
    "owner_wa_id",
    "notify_webhook_url",
)


def _create(args: argparse.Namespace) -> int:
    given = {f: getattr(args, f) for f in _FIELDS if getattr(args, f) is not None}
    try:
        current = get_tenant(args.tenant, fresh=True).model_dump()
    except PermanentError:
        current = {}
        missing = [f for f in ("phone_number_id", "source") if f not in given]
        if missing:
            flags = ", ".join("--" + f.replace("_", "-") for f in missing)
            raise BadRequest(f"a new tenant needs {flags}") from None
    config = _validated({**current, **given, "tenant_id": args.tenant})
    if not current and "locale" not in given:
        config = _validated({**config.model_dump(), **_guessed(config, given.get("currency"))})
    save_tenant(config)
    print(f"{'updated' if current else 'created'} tenant {args.tenant} (source {config.source})")
    return 0


def _validated(data: dict[str, Any]) -> TenantConfig:
    try:
        return TenantConfig.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None


def _guessed(config: TenantConfig, currency: str | None) -> dict[str, str]:
    """The locale (and, unless given, the currency) the tenant's sheet is written in."""
    from shared.sheets.locale_guess import guess_locale
    from shared.sheets.sources import open_source

    try:
        table = open_source(config).read()
    except WacrmError as exc:
        print(f"locale {config.locale}: the sheet could not be read to guess it ({exc}); set --locale")
        return {}
    locale, guessed_currency = guess_locale(table, currency=currency)
    print(
        f"locale {locale}, currency {guessed_currency} (guessed from the sheet; --locale/--currency to set)"
    )
    return {"locale": locale, "currency": guessed_currency}


def _show(args: argparse.Namespace) -> int:
    print(json.dumps(get_tenant(args.tenant, fresh=True).model_dump(), indent=2, default=str))
    return 0


def _push_secret(args: argparse.Namespace) -> int:
    from shared.sheets.push import push_secret

    print(push_secret(args.tenant, rotate=args.rotate))
    return 0
