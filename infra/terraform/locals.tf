# The deployment's tables. They mirror devtools/topology.py (functions, subscriptions, schedule),
# shared/settings.py (environment) and shared/events.py (topics); tests/infra/test_terraform_matches_code.py
# fails when the two drift apart.

locals {
  repo_root = abspath("${path.module}/../..")

  # One Cloud Function per served target. Sizing, in short:
  # - cpu "1" everywhere: 2nd-gen functions need a whole vCPU to take more than one request at a
  #   time, and CPU is billed only while a request runs.
  # - concurrency: I/O-bound handlers (Firestore, Pub/Sub, provider HTTP) share an instance; the
  #   jobs that walk every tenant run one at a time so two runs never race on the same documents.
  # - timeout: the longest honest run plus margin; push subscriptions wait exactly this long.
  # - max_instances: caps the bill and the pressure on Firestore and the provider APIs.
  functions = {
    "respond-webhook" = {
      folder      = "respond"
      entry_point = "webhook"
      trigger     = "public" # Meta and Twilio call it from the internet; requests are signature-checked
      memory      = "512Mi"
      timeout     = 30 # one signature check, one Firestore create, one publish: far below Meta's timeout
      concurrency = 40 # almost all waiting on Firestore/Pub/Sub round trips
      max         = 20 # Meta's default 80 msg/s per number fits in a few instances
      publishes   = ["inbound-messages"]
      secrets     = ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "TWILIO_AUTH_TOKEN", "CUSTOMER_HASH_SALT"]
    }
    "respond-worker" = {
      folder      = "respond"
      entry_point = "worker"
      trigger     = "push"
      memory      = "1Gi" # openai and google-genai SDKs plus the retrieved catalog slice
      timeout     = 120   # up to three providers at LLM_TIMEOUT_S each, then send and store
      concurrency = 16    # mostly waiting: on LLM APIs, and on the 1.5 s burst window (a thread each)
      max         = 20
      publishes   = ["conversation-events"]
      secrets     = ["WHATSAPP_ACCESS_TOKEN", "TWILIO_AUTH_TOKEN", "OPENAI_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY", "CUSTOMER_HASH_SALT"]
    }
    "respond-restock" = {
      folder      = "respond"
      entry_point = "restock"
      trigger     = "push"
      memory      = "512Mi"
      timeout     = 300 # notifies every customer waiting for an item, paced per WhatsApp's limits
      concurrency = 4
      max         = 5
      publishes   = []
      secrets     = ["WHATSAPP_ACCESS_TOKEN", "TWILIO_AUTH_TOKEN", "CUSTOMER_HASH_SALT"]
    }
    "respond-outbox" = {
      folder      = "respond"
      entry_point = "staff_outbox"
      trigger     = "firestore" # Eventarc: a staff reply created in conversations/{wa}/outbox
      memory      = "512Mi"
      timeout     = 60 # one send through the provider and one Firestore update
      concurrency = 8
      max         = 5
      publishes   = []
      secrets     = ["WHATSAPP_ACCESS_TOKEN", "TWILIO_AUTH_TOKEN", "CUSTOMER_HASH_SALT"]
    }
    "respond-outreach" = {
      folder      = "respond"
      entry_point = "outreach"
      trigger     = "push"
      memory      = "512Mi"
      timeout     = 120 # one paced broadcast run (40 s of sending) plus the weekly summaries
      concurrency = 1   # one run at a time: the pace is per number
      max         = 2
      publishes   = []
      secrets     = ["WHATSAPP_ACCESS_TOKEN", "TWILIO_AUTH_TOKEN", "CUSTOMER_HASH_SALT"]
    }
    "sheet-poller" = {
      folder      = "sheet_poller"
      entry_point = "poll"
      trigger     = "push"
      memory      = "1Gi" # a whole sheet (or XLSX) parsed and validated in memory
      timeout     = 300   # every tenant's cheap change check, plus full reads of the changed sheets
      concurrency = 1     # CPU-bound parsing; one poll per instance
      max         = 3
      publishes   = ["catalog-changes"]
      secrets     = ["SHEETS_SERVICE_ACCOUNT_JSON"]
    }
    "sheet-poller-push" = {
      folder      = "sheet_poller"
      entry_point = "push"
      trigger     = "public" # the Apps Script onEdit trigger calls it; requests carry an HMAC signature
      memory      = "1Gi"
      timeout     = 60 # re-reads one tenant's sheet
      concurrency = 4
      max         = 5
      publishes   = ["catalog-changes"]
      secrets     = ["SHEETS_SERVICE_ACCOUNT_JSON", "SHEET_PUSH_SECRET"]
    }
    "analytics-rollup" = {
      folder      = "analytics_rollup"
      entry_point = "rollup"
      trigger     = "push"
      memory      = "512Mi"
      timeout     = 300 # drains the analytics-rollup pull subscription in batches
      concurrency = 1   # one drain at a time: aggregates are pre-summed per batch, not raced
      max         = 1
      publishes   = []
      secrets     = []
    }
    "alerts" = {
      folder      = "alerts"
      entry_point = "evaluate"
      trigger     = "push"
      memory      = "512Mi"
      timeout     = 120 # evaluates every tenant's rules, notifies owners
      concurrency = 1   # alert de-duplication is per tenant; keep evaluations sequential per instance
      max         = 3
      publishes   = []
      secrets     = ["WHATSAPP_ACCESS_TOKEN", "TWILIO_AUTH_TOKEN", "CUSTOMER_HASH_SALT"] # owner notices go through the sender
    }
  }

  # Topics the code publishes to or consumes (shared/events.py, shared/settings.py). The local
  # stack's `staff-outbox` topic is not here: in the cloud, Eventarc's Firestore trigger takes its place.
  topics = [
    "inbound-messages",
    "conversation-events",
    "catalog-changes",
    "sheet-poll-ticks",
    "alerts-ticks",
    "rollup-ticks",
    "outreach-ticks",
  ]

  # Subscriptions, named as in devtools/topology.py. push_to names a function; null means pull.
  # Ticks are worthless once the next one is due: short retention, few attempts.
  subscriptions = {
    "respond-worker" = {
      topic        = "inbound-messages"
      push_to      = "respond-worker"
      retention    = "604800s"
      max_attempts = 10
    }
    "alerts-catalog-changes" = {
      topic        = "catalog-changes"
      push_to      = "alerts"
      retention    = "604800s"
      max_attempts = 10
    }
    "respond-restock" = {
      topic        = "catalog-changes"
      push_to      = "respond-restock"
      retention    = "604800s"
      max_attempts = 10
    }
    "analytics-rollup" = {
      topic        = "conversation-events"
      push_to      = null # analytics_rollup pulls it on each rollup tick
      retention    = "604800s"
      max_attempts = 10
    }
    "sheet-poller-ticks" = {
      topic        = "sheet-poll-ticks"
      push_to      = "sheet-poller"
      retention    = "600s"
      max_attempts = 5
    }
    "alerts-ticks" = {
      topic        = "alerts-ticks"
      push_to      = "alerts"
      retention    = "600s"
      max_attempts = 5
    }
    "analytics-rollup-ticks" = {
      topic        = "rollup-ticks"
      push_to      = "analytics-rollup"
      retention    = "600s"
      max_attempts = 5
    }
    "respond-outreach-ticks" = {
      topic        = "outreach-ticks"
      push_to      = "respond-outreach"
      retention    = "600s"
      max_attempts = 5
    }
  }

  # Cloud Scheduler jobs (devtools/topology.py SCHEDULE); one minute is Scheduler's finest interval.
  schedule = {
    "poll-sheets" = {
      topic    = "sheet-poll-ticks"
      schedule = "* * * * *"
    }
    "evaluate-alerts" = {
      topic    = "alerts-ticks"
      schedule = "* * * * *"
    }
    "rollup-analytics" = {
      topic    = "rollup-ticks"
      schedule = "* * * * *"
    }
    "send-outreach" = {
      topic    = "outreach-ticks" # due broadcasts and weekly owner summaries
      schedule = "* * * * *"
    }
  }

  # Secret Manager secrets, by the environment variable that carries them (the secret id is the
  # same name in lower case with hyphens). Never plain environment variables.
  secrets = {
    WHATSAPP_APP_SECRET         = "Meta app secret: verifies X-Hub-Signature-256 on webhook POSTs"
    WHATSAPP_VERIFY_TOKEN       = "token Meta sends on the webhook's GET verification"
    WHATSAPP_ACCESS_TOKEN       = "Meta Graph API token used to send WhatsApp messages"
    TWILIO_AUTH_TOKEN           = "Twilio auth token: verifies X-Twilio-Signature and sends messages"
    OPENAI_API_KEY              = "OpenAI API key"
    GEMINI_API_KEY              = "Gemini (google-genai) API key"
    DEEPSEEK_API_KEY            = "DeepSeek API key"
    SHEETS_SERVICE_ACCOUNT_JSON = "JSON key of the service account the tenants' sheets are shared with"
    SHEET_PUSH_SECRET           = "shared secret that signs the Apps Script onEdit pushes"
    CUSTOMER_HASH_SALT          = "salt of the customer hashes in analytics and logs"
  }

  # The deterministic URL of a 2nd-gen function; Twilio signs this URL, so the webhook must know it.
  webhook_url = "https://${var.region}-${var.project_id}.cloudfunctions.net/respond-webhook"

  # Plain (non-secret) settings, the same for every function.
  plain_env = {
    GOOGLE_CLOUD_PROJECT       = var.project_id # the python312 runtime does not set it
    LOG_LEVEL                  = var.log_level
    TOPIC_CATALOG_CHANGES      = "catalog-changes"
    TOPIC_INBOUND_MESSAGES     = "inbound-messages"
    TOPIC_CONVERSATION_EVENTS  = "conversation-events"
    SUBSCRIPTION_ANALYTICS     = "analytics-rollup"
    TWILIO_ACCOUNT_SID         = var.twilio_account_sid
    WEBHOOK_PUBLIC_URL         = local.webhook_url
    WEBHOOK_MAX_BODY_BYTES     = tostring(var.webhook_max_body_bytes)
    OPENAI_MODEL               = var.openai_model
    GEMINI_MODEL               = var.gemini_model
    DEEPSEEK_MODEL             = var.deepseek_model
    LLM_TIMEOUT_S              = tostring(var.llm_timeout_s)
    BURST_WINDOW_S             = "1.5" # the worker waits this long for the rest of a burst of messages
    SHEETS_REQUEST_TIMEOUT_S   = tostring(var.sheets_request_timeout_s)
    SHEET_WRITE_OPS_PER_SECOND = "500" # Firestore's 500/50/5 rule: start large imports at 500 writes/s
  }

  # Firestore TTL policies: Firestore deletes idempotency markers once the timestamp in the
  # field has passed. Collection group => timestamp field. More can be declared next to the
  # indexes, as Firebase CLI "fieldOverrides" with "ttl": true.
  indexes_file = "${local.repo_root}/firestore.indexes.json"
  rules_file   = "${local.repo_root}/firestore.rules"
  indexes_json = jsondecode(file(local.indexes_file))
  declared_ttls = {
    sheet_pushes = "expires_at" # replay guards of signed Apps Script pushes (shared/sheets/push.py), 1 h
  }
  ttl_fields = merge(local.declared_ttls, {
    for o in try(local.indexes_json.fieldOverrides, []) : o.collectionGroup => o.fieldPath if try(o.ttl, false)
  })
}
