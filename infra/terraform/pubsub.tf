# Topics, their dead-letter topics, and the subscriptions of devtools/topology.py.

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption; a customer-managed KMS key adds cost and a key to operate for messages that carry only ids and small facts.
  for_each = toset(local.topics)

  project    = var.project_id
  name       = each.key
  labels     = var.labels
  depends_on = [google_project_service.api]
}

# Where a message lands after max_attempts failed deliveries, instead of being retried forever.
resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption, as for the topics they serve.
  for_each = toset(local.topics)

  project    = var.project_id
  name       = "${each.key}-dead-letter"
  labels     = var.labels
  depends_on = [google_project_service.api]
}

# A topic without subscriptions drops what it receives: this keeps dead letters for 7 days, to
# inspect (`gcloud pubsub subscriptions pull`) and replay.
resource "google_pubsub_subscription" "dead_letter" {
  for_each = toset(local.topics)

  project                    = var.project_id
  name                       = "${each.key}-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  labels                     = var.labels

  expiration_policy {
    ttl = "" # never expire for inactivity
  }
}

resource "google_pubsub_subscription" "subscription" {
  for_each = local.subscriptions

  project = var.project_id
  name    = each.key
  topic   = google_pubsub_topic.topic[each.value.topic].id
  labels  = var.labels

  # A push waits as long as the function may run; a pull batch is acknowledged within a minute.
  ack_deadline_seconds       = each.value.push_to == null ? 60 : local.functions[each.value.push_to].timeout
  message_retention_duration = each.value.retention

  # Exponential back-off between redeliveries of a message whose handler failed (TransientError).
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.topic].id
    max_delivery_attempts = each.value.max_attempts
  }

  expiration_policy {
    ttl = "" # never expire: a quiet week must not delete a subscription
  }

  # Push with an OIDC token of the invoker; the function's Cloud Run service checks it.
  dynamic "push_config" {
    for_each = each.value.push_to == null ? [] : [each.value.push_to]
    content {
      push_endpoint = google_cloudfunctions2_function.function[push_config.value].service_config[0].uri
      oidc_token {
        service_account_email = google_service_account.invoker.email
        audience              = google_cloudfunctions2_function.function[push_config.value].service_config[0].uri
      }
    }
  }

  depends_on = [google_service_account_iam_member.pubsub_signs_push_tokens]
}
