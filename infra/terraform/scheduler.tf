# The ticks (devtools/topology.py SCHEDULE). Each job publishes {"job": NAME} to its tick topic as
# the Cloud Scheduler service agent; the topic's push subscription then calls the function with
# the invoker's OIDC token, so no step of the chain is unauthenticated.

resource "google_cloud_scheduler_job" "tick" {
  for_each = local.schedule

  project     = var.project_id
  region      = var.region
  name        = each.key
  description = "Publishes a Tick on ${each.value.topic}"
  schedule    = each.value.schedule
  time_zone   = "Etc/UTC"

  pubsub_target {
    topic_name = google_pubsub_topic.topic[each.value.topic].id
    data       = base64encode(jsonencode({ job = each.key }))
  }

  # A missed tick is made good by the next one, a minute later.
  retry_config {
    retry_count = 0
  }

  depends_on = [google_project_service.api]
}
