"""analytics_rollup entry point. Domain logic: shared.analytics."""

import functions_framework


@functions_framework.cloud_event
def rollup(cloud_event):
    return None
