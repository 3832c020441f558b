# APIs the deployment uses. They stay enabled on destroy: other things in the project may use them.
locals {
  apis = toset([
    "artifactregistry.googleapis.com",     # images of the 2nd-gen functions
    "cloudbuild.googleapis.com",           # builds the functions from their source zips
    "cloudfunctions.googleapis.com",       # the functions
    "cloudresourcemanager.googleapis.com", # project IAM bindings
    "cloudscheduler.googleapis.com",       # poll, alert and rollup ticks
    "eventarc.googleapis.com",             # the Firestore trigger of respond-outbox
    "firebase.googleapis.com",             # Firebase project for the dashboard
    "firebasehosting.googleapis.com",      # the dashboard's static hosting
    "firebaserules.googleapis.com",        # Firestore security rules
    "firestore.googleapis.com",            # the database
    "iam.googleapis.com",                  # service accounts
    "identitytoolkit.googleapis.com",      # Firebase Authentication for staff sign-in
    "pubsub.googleapis.com",               # topics and subscriptions
    "run.googleapis.com",                  # 2nd-gen functions run on Cloud Run
    "secretmanager.googleapis.com",        # provider keys and tokens
    "sheets.googleapis.com",               # reading the tenants' sheets
    "drive.googleapis.com",                # the sheets' modifiedTime/version change check
    "storage.googleapis.com",              # the functions' source zips
  ])
}

resource "google_project_service" "api" {
  for_each = local.apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
