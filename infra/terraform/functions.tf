# One 2nd-gen Cloud Function per served target of devtools/topology.py (sizing in locals.tf).
# Pub/Sub-fed functions get no Eventarc trigger: each is pushed to by a subscription of ours
# (pubsub.tf), as locally, so that retry back-off and the dead-letter topic are ours to set.

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions

  name        = each.key
  project     = var.project_id
  location    = var.region
  description = "${each.value.folder}.${each.value.entry_point} (functions/${each.value.folder}/main.py)"
  labels      = var.labels

  build_config {
    runtime         = "python312"
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.bundle[each.value.folder].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    available_cpu                    = "1"
    timeout_seconds                  = each.value.timeout
    max_instance_request_concurrency = each.value.concurrency
    min_instance_count               = each.key == "respond-webhook" ? var.webhook_min_instances : 0
    max_instance_count               = each.value.max
    # Only the two endpoints called from the internet take outside traffic; the rest are reached
    # by Pub/Sub push and Eventarc, which count as internal traffic of the project.
    ingress_settings               = each.value.trigger == "public" ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function[each.key].email
    # functions-framework serves with THREADS gunicorn threads (default 4 per CPU): match the
    # concurrency Cloud Run sends, or requests queue inside the instance.
    environment_variables = merge(local.plain_env, { THREADS = tostring(each.value.concurrency) })

    # Secrets arrive as environment variables, resolved from Secret Manager when an instance
    # starts ("latest": a new version reaches new instances without a redeploy).
    dynamic "secret_environment_variables" {
      for_each = [for name in each.value.secrets : name if contains(var.secrets_with_versions, name)]
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  # respond-outbox: a staff reply written by the dashboard into a conversation's outbox is sent
  # by this function; commerce-requests: a staff status request on an order or booking. Locally
  # devtools.outbox_bridge and devtools.commerce_bridge stand in, through Pub/Sub topics.
  dynamic "event_trigger" {
    for_each = each.value.trigger == "firestore" ? [each.key] : []
    content {
      trigger_region        = var.firestore_location # Firestore events come from the database's location
      event_type            = "google.cloud.firestore.document.v1.created"
      retry_policy          = "RETRY_POLICY_RETRY" # a TransientError raised by the handler is retried
      service_account_email = google_service_account.invoker.email
      event_filters {
        attribute = "database"
        value     = google_firestore_database.database.name
      }
      event_filters {
        attribute = "document"
        value     = each.value.document
        operator  = "match-path-pattern"
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_iam_member.accessor,
    google_project_iam_member.build,
    google_project_iam_member.invoker_receives_events,
  ]
}

# The webhook and the sheet push endpoint are called by Meta/Twilio and Apps Script, which send no
# Google identity: they are public, and every request is authenticated by its HMAC signature.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = { for name, fn in local.functions : name => fn if fn.trigger == "public" }

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Pub/Sub push subscriptions and the Eventarc trigger call the others with the invoker's identity.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = { for name, fn in local.functions : name => fn if fn.trigger != "public" }

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.invoker.member
}
