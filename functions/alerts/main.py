"""alerts entry point. Domain logic: shared.alerts.

`evaluate`: both `alerts-ticks` (a `Tick`, every minute) and `catalog-changes` (a
`CatalogChange` from sheet_poller) push here; a message with a `sheet_id` is a catalog change.
A tick also sweeps inbound messages left unanswered (shared.messaging.sweeper).
"""

import base64
import binascii
import json
import logging

import functions_framework

from shared.alerts.evaluate import handle_catalog_change, handle_tick
from shared.errors import PermanentError
from shared.events import CatalogChange, Tick
from shared.log import get_logger, log_event
from shared.messaging.sweeper import sweep_all
from shared.pubsub import decode_message

logger = get_logger(__name__)


@functions_framework.cloud_event
def evaluate(cloud_event):
    try:
        body = base64.b64decode(cloud_event.data["message"].get("data", "") or b"{}")
        shape = json.loads(body or b"{}")
        if isinstance(shape, dict) and "sheet_id" in shape:
            handle_catalog_change(decode_message(body, CatalogChange))
        else:
            tick = decode_message(body, Tick)
            handle_tick(tick)
            sweep_all(tick.tenant_id)  # inbound messages left unanswered: answer or flag them
    except (KeyError, TypeError, AttributeError, binascii.Error, json.JSONDecodeError, PermanentError) as exc:
        log_event(logger, logging.ERROR, "alerts message dropped", error=str(exc))
    return None
