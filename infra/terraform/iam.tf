# Identities: one runtime service account per function, granted only what that function does;
# one invoker that Pub/Sub push and Eventarc use to call the internal functions; one for builds.

resource "google_service_account" "function" {
  for_each = local.functions

  project      = var.project_id
  account_id   = "wacrm-${each.key}"
  display_name = "WhatsApp CRM function ${each.key}"
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "invoker" {
  project      = var.project_id
  account_id   = "wacrm-invoker"
  display_name = "WhatsApp CRM: Pub/Sub push and Eventarc invoker"
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "wacrm-build"
  display_name = "WhatsApp CRM: Cloud Build for the functions"
  depends_on   = [google_project_service.api]
}

# roles/datastore.user: every function reads and writes its tenants' Firestore documents.
# Firestore IAM has no per-collection grants; the Firestore rules guard the browser, not these.
resource "google_project_iam_member" "firestore_user" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.function[each.key].member
}

# roles/pubsub.publisher on exactly the topics a function publishes to (locals.tf `publishes`).
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = merge([
    for name, fn in local.functions : { for topic in fn.publishes : "${name}/${topic}" => { function = name, topic = topic } }
  ]...)

  project = var.project_id
  topic   = google_pubsub_topic.topic[each.value.topic].name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.function[each.value.function].member
}

# roles/secretmanager.secretAccessor on exactly the secrets a function reads (locals.tf `secrets`).
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = merge([
    for name, fn in local.functions : { for secret in fn.secrets : "${name}/${secret}" => { function = name, secret = secret } }
  ]...)

  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}

# roles/pubsub.subscriber on the analytics-rollup pull subscription: analytics_rollup drains it.
resource "google_pubsub_subscription_iam_member" "rollup_pulls_events" {
  project      = var.project_id
  subscription = google_pubsub_subscription.subscription["analytics-rollup"].name
  role         = "roles/pubsub.subscriber"
  member       = google_service_account.function["analytics-rollup"].member
}

# roles/pubsub.subscriber on the worker's dead-letter subscription: respond-outreach counts what
# waits there for the Status view (it pulls and hands the messages straight back, never acks).
resource "google_pubsub_subscription_iam_member" "outreach_counts_dead_letters" {
  project      = var.project_id
  subscription = google_pubsub_subscription.dead_letter["inbound-messages"].name
  role         = "roles/pubsub.subscriber"
  member       = google_service_account.function["respond-outreach"].member
}

# roles/eventarc.eventReceiver: the invoker receives the Firestore events it delivers to respond-outbox.
resource "google_project_iam_member" "invoker_receives_events" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.invoker.member
}

# The build account: roles/logging.logWriter writes build logs; roles/artifactregistry.writer
# pushes the function images to the gcf-artifacts repository that Cloud Functions creates;
# roles/storage.objectViewer reads the source zip, which Cloud Functions first copies into a
# gcf-v2-sources bucket of its own (so a grant on our bucket alone would not do).
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer", "roles/storage.objectViewer"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

# The Pub/Sub service agent: it signs the push requests' OIDC tokens as the invoker
# (roles/iam.serviceAccountTokenCreator on that one account), moves undeliverable messages to the
# dead-letter topics (publisher there) and acknowledges them on the source subscription (subscriber).
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  project = var.project_id
  service = "pubsub.googleapis.com"
}

resource "google_service_account_iam_member" "pubsub_signs_push_tokens" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_topic_iam_member" "pubsub_dead_letters" {
  for_each = toset(local.topics)

  project = var.project_id
  topic   = google_pubsub_topic.dead_letter[each.key].name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

resource "google_pubsub_subscription_iam_member" "pubsub_forwards_dead_letters" {
  for_each = local.subscriptions

  project      = var.project_id
  subscription = google_pubsub_subscription.subscription[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_project_service_identity.pubsub.email}"
}
