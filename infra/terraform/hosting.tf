# The staff dashboard on Firebase Hosting (optional, var.enable_dashboard_hosting). Terraform
# declares the Firebase project, a web app (its config is an output for the dashboard build) and
# the Hosting site; the files are uploaded with `firebase deploy --only hosting` (README "Deploy").

resource "google_firebase_project" "default" {
  provider = google-beta
  count    = var.enable_dashboard_hosting ? 1 : 0

  project    = var.project_id
  depends_on = [google_project_service.api]
}

resource "google_firebase_web_app" "dashboard" {
  provider = google-beta
  count    = var.enable_dashboard_hosting ? 1 : 0

  project         = var.project_id
  display_name    = "WhatsApp CRM dashboard"
  deletion_policy = "DELETE"
  depends_on      = [google_firebase_project.default]
}

data "google_firebase_web_app_config" "dashboard" {
  provider = google-beta
  count    = var.enable_dashboard_hosting ? 1 : 0

  project    = var.project_id
  web_app_id = google_firebase_web_app.dashboard[0].app_id
}

resource "google_firebase_hosting_site" "dashboard" {
  provider = google-beta
  count    = var.enable_dashboard_hosting ? 1 : 0

  # The project's default site (PROJECT.web.app), which a plain `firebase deploy --only hosting`
  # targets; creating it adopts the site Firebase provisions, linking it to the web app so that
  # Hosting's /__/firebase/init.json serves that app's config.
  project = var.project_id
  site_id = var.project_id
  app_id  = google_firebase_web_app.dashboard[0].app_id
}
