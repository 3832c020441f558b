# Each function's deploy bundle: functions/<folder>/ plus the shared/ package, zipped by Terraform
# itself (no build step, works offline). The object is named by a hash of the files' contents, so
# a function is rebuilt and redeployed only when its own folder or shared/ changes.

locals {
  # Files that never ship: caches and tests (the same rule as devtools/bundle.py, whose bundles
  # tests/packaging imports in a fresh virtualenv; tests/infra checks that the two agree).
  bundle_skip = "(^|/)(__pycache__|\\.pytest_cache|tests)/|\\.pyc$"

  shared_files = sort([
    for f in fileset("${local.repo_root}/shared", "**") : f if length(regexall(local.bundle_skip, f)) == 0
  ])

  bundles = {
    for folder in distinct([for fn in local.functions : fn.folder]) : folder => merge(
      {
        for f in fileset("${local.repo_root}/functions/${folder}", "**") :
        f => "${local.repo_root}/functions/${folder}/${f}" if length(regexall(local.bundle_skip, f)) == 0
      },
      { for f in local.shared_files : "shared/${f}" => "${local.repo_root}/shared/${f}" },
    )
  }

  bundle_hash = {
    for folder, files in local.bundles : folder => sha256(join("\n", [
      for name in sort(keys(files)) : "${name} ${filesha256(files[name])}"
    ]))
  }
}

# file() reads text: the bundles hold Python sources and small text files only.
data "archive_file" "bundle" {
  for_each = local.bundles

  type        = "zip"
  output_path = "${path.module}/build/${each.key}-${substr(local.bundle_hash[each.key], 0, 16)}.zip"

  dynamic "source" {
    for_each = each.value
    content {
      filename = source.key
      content  = file(source.value)
    }
  }
}

resource "google_storage_bucket" "sources" {
  #checkov:skip=CKV_GCP_62:Access logs of a bucket holding only our own deploy zips would be noise; Cloud Audit Logs record who changed it.
  name                        = "${var.project_id}-wacrm-sources"
  project                     = var.project_id
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # only rebuildable deploy zips live here
  labels                      = var.labels

  versioning {
    enabled = true
  }

  # A redeploy replaces a zip by one of a new name; the old one lives on as a noncurrent version
  # for a month (to roll back by hand), then goes. Live zips stay: rebuilds read them.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_storage_bucket_object" "bundle" {
  for_each = local.bundles

  name   = "${each.key}/${local.bundle_hash[each.key]}.zip"
  bucket = google_storage_bucket.sources.name
  source = data.archive_file.bundle[each.key].output_path
}
