"""sheet_poller entry points: a Scheduler tick polls every tenant's sheet; an Apps Script onEdit
push polls one tenant at once. Domain logic: shared.sheets."""

import functions_framework


@functions_framework.cloud_event
def poll(cloud_event):  # placeholder until the poller lands
    return None


@functions_framework.http
def push(request):
    return ("not ready", 503)
