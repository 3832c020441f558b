# The Firestore database, the composite indexes the queries need (firestore.indexes.json, the same
# file the Firebase CLI reads), the security rules (firestore.rules) and the TTL policies.

resource "google_firestore_database" "database" {
  project     = var.project_id
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE" # realtime listeners (the dashboard) need native mode

  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED" # 7 days of history to recover from a bad write
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON" # `terraform destroy` never deletes the data

  depends_on = [google_project_service.api]
}

resource "google_firestore_index" "index" {
  for_each = {
    for index in try(local.indexes_json.indexes, []) :
    join(" ", concat([index.collectionGroup, try(index.queryScope, "COLLECTION")], [
      for field in index.fields : "${field.fieldPath}:${try(field.order, field.arrayConfig)}"
    ])) => index
  }

  project     = var.project_id
  database    = google_firestore_database.database.name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }
}

# Firestore deletes a document of these collection groups (within about a day) once the
# timestamp in the field has passed. The field's single-field indexes are switched off: an
# ever-increasing timestamp index is a write hot spot, and nothing queries it.
resource "google_firestore_field" "ttl" {
  for_each = local.ttl_fields

  project    = var.project_id
  database   = google_firestore_database.database.name
  collection = each.key
  field      = each.value

  ttl_config {}
  index_config {}
}

# The collection-group indexes of the schedules' due fields (firestore.indexes.json
# fieldOverrides): the tick's one query per pass (`next_poll_at <= now` ascending) reads only
# the due shops, never the 10,000 others.
resource "google_firestore_field" "index" {
  for_each = local.index_overrides

  project    = var.project_id
  database   = google_firestore_database.database.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  index_config {
    dynamic "indexes" {
      for_each = each.value.indexes
      content {
        order        = try(indexes.value.order, null)
        array_config = try(indexes.value.arrayConfig, null)
        query_scope  = try(indexes.value.queryScope, "COLLECTION")
      }
    }
  }
}

resource "google_firebaserules_ruleset" "firestore" {
  project = var.project_id

  source {
    files {
      name    = "firestore.rules"
      content = file(local.rules_file)
    }
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_firestore_database.database]
}

resource "google_firebaserules_release" "firestore" {
  project      = var.project_id
  name         = "cloud.firestore" # the release the (default) database serves
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"

  lifecycle {
    replace_triggered_by = [google_firebaserules_ruleset.firestore]
  }
}
