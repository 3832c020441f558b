variable "project_id" {
  description = "The Google Cloud project to deploy into (it must exist and have billing enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6-30 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the functions, the source bucket and the scheduler jobs, e.g. us-central1."
  type        = string
  default     = "us-central1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west1."
  }
}

variable "firestore_location" {
  description = "Location of the Firestore database (a multi-region such as nam5 or eur3, or a region). Firestore events for the staff outbox trigger come from this location. Cannot be changed after creation."
  type        = string
  default     = "nam5"

  validation {
    condition     = can(regex("^(nam5|nam7|eur3|[a-z]+-[a-z]+[0-9])$", var.firestore_location))
    error_message = "firestore_location must be nam5, nam7, eur3 or a region such as us-central1."
  }
}

variable "secrets_with_versions" {
  description = "Environment-variable names of the secrets that already hold a version in Secret Manager (see README \"Deploy\"). Only these are wired into the functions: Cloud Run refuses to start a revision whose secret has no version, and an integration you do not use (say DeepSeek or Twilio) simply stays unset."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for name in var.secrets_with_versions : can(regex("^[A-Z][A-Z0-9_]*$", name))])
    error_message = "secrets_with_versions lists environment-variable names such as WHATSAPP_APP_SECRET."
  }
}

variable "webhook_min_instances" {
  description = "Instances of the WhatsApp webhook kept warm. Meta expects a median answer under 250 ms; a cold start costs about a second. 0 saves the idle cost of one small instance."
  type        = number
  default     = 1

  validation {
    condition     = var.webhook_min_instances >= 0 && var.webhook_min_instances <= 3
    error_message = "webhook_min_instances must be between 0 and 3."
  }
}

variable "log_level" {
  description = "Log level of every function (LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "twilio_account_sid" {
  description = "Twilio account SID (AC...), when replies go through Twilio's WhatsApp API; empty when only Meta's Cloud API is used. Its auth token is a secret (TWILIO_AUTH_TOKEN)."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^(AC[0-9a-f]{32})?$", var.twilio_account_sid))
    error_message = "twilio_account_sid must be empty or AC followed by 32 hexadecimal digits."
  }
}

variable "openai_model" {
  description = "OpenAI chat model (OPENAI_MODEL)."
  type        = string
  default     = "gpt-4o-mini"

  validation {
    condition     = length(var.openai_model) > 0
    error_message = "openai_model must not be empty."
  }
}

variable "gemini_model" {
  description = "Gemini model used through google-genai (GEMINI_MODEL)."
  type        = string
  default     = "gemini-2.0-flash"

  validation {
    condition     = length(var.gemini_model) > 0
    error_message = "gemini_model must not be empty."
  }
}

variable "deepseek_model" {
  description = "DeepSeek model on its OpenAI-compatible endpoint (DEEPSEEK_MODEL)."
  type        = string
  default     = "deepseek-chat"

  validation {
    condition     = length(var.deepseek_model) > 0
    error_message = "deepseek_model must not be empty."
  }
}

variable "llm_timeout_s" {
  description = "Timeout of one LLM call in seconds (LLM_TIMEOUT_S); on expiry the router falls back to the next provider."
  type        = number
  default     = 8

  validation {
    condition     = var.llm_timeout_s > 0 && var.llm_timeout_s <= 30
    error_message = "llm_timeout_s must be between 0 and 30 seconds: the worker's whole fallback chain must fit in its timeout."
  }
}

variable "sheets_request_timeout_s" {
  description = "Timeout of one Sheets/Drive API request in seconds (SHEETS_REQUEST_TIMEOUT_S)."
  type        = number
  default     = 20

  validation {
    condition     = var.sheets_request_timeout_s > 0 && var.sheets_request_timeout_s <= 120
    error_message = "sheets_request_timeout_s must be between 0 and 120 seconds."
  }
}

variable "webhook_max_body_bytes" {
  description = "Largest webhook body accepted, in bytes (WEBHOOK_MAX_BODY_BYTES); larger ones get a 413."
  type        = number
  default     = 1000000

  validation {
    condition     = var.webhook_max_body_bytes >= 10000 && var.webhook_max_body_bytes <= 10000000
    error_message = "webhook_max_body_bytes must be between 10 kB and 10 MB."
  }
}

variable "quota_sheets_per_minute" {
  description = "Google Sheets API calls per minute the whole deployment may make (QUOTA_SHEETS_PER_MINUTE). Google's default quota is 300 read requests a minute per project and 60 per user, and one service account is one user: the default 54 stays inside both. Raise it after raising the quota in the Cloud console (APIs & Services > Google Sheets API > Quotas)."
  type        = number
  default     = 54

  validation {
    condition     = var.quota_sheets_per_minute >= 1 && var.quota_sheets_per_minute <= 100000
    error_message = "quota_sheets_per_minute must be between 1 and 100000."
  }
}

variable "quota_drive_per_minute" {
  description = "Google Drive API calls per minute (the cheap version checks) the whole deployment may make (QUOTA_DRIVE_PER_MINUTE). Google's default is 12,000 queries a minute; the default keeps a margin."
  type        = number
  default     = 10000

  validation {
    condition     = var.quota_drive_per_minute >= 1 && var.quota_drive_per_minute <= 1000000
    error_message = "quota_drive_per_minute must be between 1 and 1000000."
  }
}

variable "poll_backoff_max_s" {
  description = "Longest interval between polls of a sheet that has been quiet for hours (POLL_BACKOFF_MAX_S); a change or push restores the shop's own interval."
  type        = number
  default     = 900

  validation {
    condition     = var.poll_backoff_max_s >= 60 && var.poll_backoff_max_s <= 3600
    error_message = "poll_backoff_max_s must be between 60 and 3600 seconds (stale-sheet alerts fire after 2 hours by default)."
  }
}

variable "catalog_cache_mb" {
  description = "Megabytes of catalog indexes each respond instance keeps, least recently used evicted (CATALOG_CACHE_MB). respond-worker has 1 GiB; bench/scale.py measures the instance at the bound plus its baseline."
  type        = number
  default     = 256

  validation {
    condition     = var.catalog_cache_mb >= 16 && var.catalog_cache_mb <= 640
    error_message = "catalog_cache_mb must be between 16 and 640 (respond-worker has 1 GiB)."
  }
}

variable "enable_dashboard_hosting" {
  description = "Declare the Firebase project, web app and Hosting site for the staff dashboard (deployed with `firebase deploy --only hosting`)."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Labels added to every resource that takes them."
  type        = map(string)
  default     = { app = "wacrm" }

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "Label keys and values must be lower-case letters, digits, '_' or '-' (keys start with a letter)."
  }
}
