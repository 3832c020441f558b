"""alerts entry point. Domain logic: shared.alerts."""

import functions_framework


@functions_framework.cloud_event
def evaluate(cloud_event):
    return None
