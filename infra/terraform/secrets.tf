# One Secret Manager secret per secret setting (locals.tf `secrets`). Terraform creates the empty
# secrets; their values are added with `gcloud secrets versions add` (README "Deploy") and never
# pass through Terraform's state.

resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  project   = var.project_id
  secret_id = lower(replace(each.key, "_", "-"))
  labels    = var.labels
  annotations = {
    env         = each.key
    description = each.value
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}
