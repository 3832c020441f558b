output "webhook_url" {
  description = "Callback URL to register with Meta (WhatsApp > Configuration > Webhook) and, for Twilio, as the WhatsApp sender's incoming-message URL."
  value       = google_cloudfunctions2_function.function["respond-webhook"].url
}

output "sheet_push_url" {
  description = "URL the Apps Script onEdit trigger posts to (examples/)."
  value       = google_cloudfunctions2_function.function["sheet-poller-push"].url
}

output "function_urls" {
  description = "Every function's URL (the internal ones answer only Pub/Sub push and Eventarc)."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.url }
}

output "function_service_accounts" {
  description = "Runtime service account of each function."
  value       = { for name, sa in google_service_account.function : name => sa.email }
}

output "sheets_service_account_hint" {
  description = "Share each tenant's sheet (Viewer) with the client_email of the key stored in the sheets-service-account-json secret."
  value       = "gcloud secrets versions access latest --secret=${google_secret_manager_secret.secret["SHEETS_SERVICE_ACCOUNT_JSON"].secret_id} --project=${var.project_id} | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"client_email\"])'"
}

output "secret_ids" {
  description = "Secret Manager secret id of each secret environment variable (add a version to each you use)."
  value       = { for env, secret in google_secret_manager_secret.secret : env => secret.secret_id }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions that keep each topic's dead letters for 7 days."
  value       = [for sub in google_pubsub_subscription.dead_letter : sub.name]
}

output "dashboard_site_url" {
  description = "The dashboard's Firebase Hosting URL (null when enable_dashboard_hosting is false)."
  value       = var.enable_dashboard_hosting ? google_firebase_hosting_site.dashboard[0].default_url : null
}

output "dashboard_firebase_config" {
  description = "Firebase web config for the dashboard build (apiKey is not a secret: the Firestore rules guard the data)."
  value = var.enable_dashboard_hosting ? {
    apiKey     = data.google_firebase_web_app_config.dashboard[0].api_key
    authDomain = data.google_firebase_web_app_config.dashboard[0].auth_domain
    projectId  = var.project_id
    appId      = google_firebase_web_app.dashboard[0].app_id
  } : null
}
