"""respond entry points. Domain logic: shared.conversation, shared.providers, shared.whatsapp."""

import functions_framework


@functions_framework.http
def webhook(request):
    return ("not ready", 503)


@functions_framework.cloud_event
def worker(cloud_event):
    return None


@functions_framework.cloud_event
def restock(cloud_event):
    return None


@functions_framework.cloud_event
def staff_outbox(cloud_event):
    return None
