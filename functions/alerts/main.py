"""alerts entry point. Domain logic: shared.alerts.

`evaluate`: `alerts-ticks` (a `Tick`, every minute: fans the due shops out on
`alert-evaluations`), `alert-evaluations` (a `ShopDue`: one shop's rules) and `catalog-changes`
(a `CatalogChange` from sheet_poller) push here; told apart by their fields. A shop's evaluation
also sweeps its inbound messages left unanswered (shared.messaging.sweeper).
"""

import base64
import binascii
import json
import logging

import functions_framework

from shared.alerts.evaluate import handle_catalog_change
from shared.errors import PermanentError
from shared.events import CatalogChange, ShopDue, Tick
from shared.log import get_logger, log_event
from shared.pubsub import decode_message

logger = get_logger(__name__)


@functions_framework.cloud_event
def evaluate(cloud_event):
    try:
        body = base64.b64decode(cloud_event.data["message"].get("data", "") or b"{}")
        shape = json.loads(body or b"{}")
        if isinstance(shape, dict) and "sheet_id" in shape:
            handle_catalog_change(decode_message(body, CatalogChange))
        elif isinstance(shape, dict) and "dispatched_at" in shape:
            from shared.scheduling.evaluations import evaluate_shop

            evaluate_shop(decode_message(body, ShopDue))
        else:
            from shared.scheduling.evaluations import alerts_tick

            alerts_tick(decode_message(body, Tick))
    except (KeyError, TypeError, AttributeError, binascii.Error, json.JSONDecodeError, PermanentError) as exc:
        log_event(logger, logging.ERROR, "alerts message dropped", error=str(exc))
    return None
