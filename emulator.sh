#!/usr/bin/env bash
# The whole system on this machine: real Firestore and Pub/Sub emulators, every function served
# by functions-framework, Pub/Sub push wiring, a local scheduler, the demo tenant and the dashboard.
#
#   ./emulator.sh          run everything in the foreground with demo data (Ctrl-C stops it all)
#   ./emulator.sh start    the same in the background; returns once everything answers
#   ./emulator.sh stop     stop everything this script started
#   ./emulator.sh status   what is running
#   ./emulator.sh test     run the whole test suite against a stack it starts and stops itself
#   ./emulator.sh setup    only create the virtualenv and install what is missing
#
# Every port and secret can be overridden from the environment (see README "Configuration").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

die() { echo "emulator.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

# --- configuration (SPEC "Stable local interface"; each overridable) ------------------------
use_test_ports() {
  # The test stack runs beside a developer's stack without touching it: every port is
  # TEST_PORT_BASE (default 18000) plus the usual last two digits.
  local b="${TEST_PORT_BASE:-18000}"
  export FIRESTORE_EMULATOR_HOST="127.0.0.1:$((b + 80))" PUBSUB_EMULATOR_HOST="127.0.0.1:$((b + 85))"
  export WEBHOOK_PORT=$((b + 81)) WORKER_PORT=$((b + 82)) SHEET_PUSH_PORT=$((b + 83)) SHEET_POLL_PORT=$((b + 84))
  export ROLLUP_PORT=$((b + 86)) ALERTS_PORT=$((b + 87)) RESTOCK_PORT=$((b + 88)) OUTBOX_PORT=$((b + 89))
  export OUTREACH_PORT=$((b + 79))
  export DASHBOARD_PORT=$((b + 0))
  export RUN_DIR="$ROOT/.run/test-$b"
  export LOCAL_SCHEDULER=0
}

set_defaults() {
  export GOOGLE_CLOUD_PROJECT="${GOOGLE_CLOUD_PROJECT:-demo-wacrm}"
  export FIRESTORE_EMULATOR_HOST="${FIRESTORE_EMULATOR_HOST:-127.0.0.1:8080}"
  export PUBSUB_EMULATOR_HOST="${PUBSUB_EMULATOR_HOST:-127.0.0.1:8085}"
  export WEBHOOK_PORT="${WEBHOOK_PORT:-8081}"
  export DASHBOARD_PORT="${DASHBOARD_PORT:-8000}"
  export WHATSAPP_APP_SECRET="${WHATSAPP_APP_SECRET:-local-app-secret}"
  export WHATSAPP_VERIFY_TOKEN="${WHATSAPP_VERIFY_TOKEN:-local-verify-token}"
  export SHEET_PUSH_SECRET="${SHEET_PUSH_SECRET:-local-push-secret}"
  export LOCAL_SCHEDULER="${LOCAL_SCHEDULER:-1}"
  export RUN_DIR="${RUN_DIR:-$ROOT/.run/dev}"
  export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
  export PYTHONUNBUFFERED=1
}

# --- installation ------------------------------------------------------------------------------
setup() {
  command -v python3 >/dev/null || die "python3 is not installed (Python 3.11+ is required)"
  if [ ! -x "$PY" ]; then
    say "creating the virtualenv in $VENV"
    python3 -m venv "$VENV" || die "could not create a virtualenv (is python3-venv installed?)"
  fi
  local stamp="$VENV/.requirements.sha" want
  want="$(cat requirements-dev.txt functions/*/requirements.txt | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python packages (log: $VENV/pip.log)"
    if ! "$PY" -m pip install --disable-pip-version-check -q -r requirements-dev.txt >"$VENV/pip.log" 2>&1; then
      tail -n 20 "$VENV/pip.log" >&2
      die "pip install failed (full log: $VENV/pip.log)"
    fi
    echo "$want" >"$stamp"
  fi
  # Tools (checkov) live in a virtualenv of their own, so their pins never clash with the runtime's.
  local tools="$ROOT/.venv-tools" tstamp tvwant
  tstamp="$tools/.requirements.sha"
  tvwant="$(sha256sum requirements-tools.txt | cut -d' ' -f1)"
  if [ "$(cat "$tstamp" 2>/dev/null)" != "$tvwant" ]; then
    say "installing the tools virtualenv (log: $tools/pip.log)"
    [ -x "$tools/bin/python" ] || python3 -m venv "$tools" || die "could not create $tools"
    if ! "$tools/bin/python" -m pip install --disable-pip-version-check -q -r requirements-tools.txt >"$tools/pip.log" 2>&1; then
      tail -n 20 "$tools/pip.log" >&2
      die "pip install of requirements-tools.txt failed (full log: $tools/pip.log)"
    fi
    echo "$tvwant" >"$tstamp"
  fi
  if [ -f dashboard/package.json ]; then
    command -v npm >/dev/null || die "npm is not installed (Node 20+ is needed for the dashboard)"
    local dstamp="dashboard/node_modules/.package-lock.sha" dwant
    dwant="$(cat dashboard/package.json dashboard/package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$dstamp" 2>/dev/null)" != "$dwant" ]; then
      say "installing dashboard packages (log: dashboard/npm.log)"
      (cd dashboard && npm ci --no-audit --no-fund >npm.log 2>&1 || npm install --no-audit --no-fund >>npm.log 2>&1) \
        || { tail -n 20 dashboard/npm.log >&2; die "npm install failed (log: dashboard/npm.log)"; }
      echo "$dwant" >"$dstamp"
    fi
    local bstamp="dashboard/dist/.source.sha" bwant
    bwant="$(find dashboard -path dashboard/node_modules -prune -o -path dashboard/dist -prune -o -type f -print \
      | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$bstamp" 2>/dev/null)" != "$bwant" ]; then
      say "building the dashboard"
      mkdir -p "$RUN_DIR"
      (cd dashboard && npm run --silent build) >"$RUN_DIR/dashboard-build.log" 2>&1 \
        || { tail -n 20 "$RUN_DIR/dashboard-build.log" >&2; die "dashboard build failed (log: $RUN_DIR/dashboard-build.log)"; }
      echo "$bwant" >"$bstamp"
    fi
  fi
}

# --- processes -----------------------------------------------------------------------------------
port_of() { echo "${1##*:}"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_bg() { # NAME COMMAND...: its own process group, so stop can end it and all its children
  local name="$1"; shift
  setsid "$@" >"$RUN_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

wait_http() { # NAME URL SECONDS: any HTTP answer counts as up
  local name="$1" url="$2" deadline=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
    if [ -f "$RUN_DIR/$name.pid" ] && ! kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then
      tail -n 30 "$RUN_DIR/$name.log" >&2 || true
      die "$name exited during start-up (log: $RUN_DIR/$name.log)"
    fi
    sleep 0.3
  done
  tail -n 30 "$RUN_DIR/$name.log" >&2 || true
  die "$name did not answer at $url within $3 s (log: $RUN_DIR/$name.log)"
}

required_ports() {
  echo "$(port_of "$FIRESTORE_EMULATOR_HOST") $(port_of "$PUBSUB_EMULATOR_HOST") $DASHBOARD_PORT"
  "$PY" -m devtools.topology ports
}

start() {
  mkdir -p "$RUN_DIR"
  if ls "$RUN_DIR"/*.pid >/dev/null 2>&1; then stop quiet; fi
  command -v java >/dev/null || die "Java is not installed: the Firestore and Pub/Sub emulators need Java 11+ (apt-get install openjdk-17-jre-headless)"
  command -v gcloud >/dev/null || die "the Google Cloud CLI (gcloud) is not installed: it provides the emulators"
  command -v curl >/dev/null || die "curl is not installed"
  setup
  local busy=()
  for p in $(required_ports); do port_busy "$p" && busy+=("$p"); done
  [ ${#busy[@]} -eq 0 ] || die "port(s) ${busy[*]} already in use: stop what uses them (./emulator.sh stop) or override the ports (see README)"

  say "starting the Firestore emulator on $FIRESTORE_EMULATOR_HOST"
  local rules=()
  [ -f firestore.rules ] && rules=(--rules="$ROOT/firestore.rules")
  start_bg firestore gcloud emulators firestore start --host-port="$FIRESTORE_EMULATOR_HOST" "${rules[@]}" --quiet
  say "starting the Pub/Sub emulator on $PUBSUB_EMULATOR_HOST"
  mkdir -p "$RUN_DIR/pubsub-data"
  start_bg pubsub gcloud beta emulators pubsub start --host-port="$PUBSUB_EMULATOR_HOST" \
    --project="$GOOGLE_CLOUD_PROJECT" --data-dir="$RUN_DIR/pubsub-data" --quiet
  wait_http firestore "http://$FIRESTORE_EMULATOR_HOST/" 90
  wait_http pubsub "http://$PUBSUB_EMULATOR_HOST/" 90

  say "serving the functions"
  while read -r name source target signature port; do
    # Each server gets its own runtime dir: gunicorn's control socket would collide otherwise.
    mkdir -p "$RUN_DIR/xdg-$name"
    # The WhatsApp webhook answers Meta in line: two gunicorn processes (one GIL each) use both
    # cores; bench/webhook.py measures the difference.
    workers=1; [ "$name" = "respond-webhook" ] && workers="${WEBHOOK_WORKERS:-2}"
    WORKERS="$workers" XDG_RUNTIME_DIR="$RUN_DIR/xdg-$name" start_bg "fn-$name" "$VENV/bin/functions-framework" --source="$source" --target="$target" \
      --signature-type="$signature" --host=127.0.0.1 --port="$port"
  done < <("$PY" -m devtools.topology functions)
  while read -r name _ _ _ port; do
    wait_http "fn-$name" "http://127.0.0.1:$port/" 60
  done < <("$PY" -m devtools.topology functions)

  "$PY" -m devtools.stack bootstrap
  if [ -f devtools/outbox_bridge.py ]; then start_bg outbox-bridge "$PY" -m devtools.outbox_bridge; fi
  if [ "${SEED:-1}" = "1" ]; then "$PY" -m devtools.stack seed; fi
  if [ "$LOCAL_SCHEDULER" = "1" ]; then start_bg scheduler "$PY" -m devtools.stack scheduler; fi
  if [ -d dashboard/dist ]; then
    start_bg dashboard "$PY" -m devtools.serve_dashboard --port "$DASHBOARD_PORT"
    wait_http dashboard "http://127.0.0.1:$DASHBOARD_PORT/" 30
  fi
  print_urls
}

print_urls() {
  cat <<EOF

WhatsApp CRM is running locally (project $GOOGLE_CLOUD_PROJECT, logs in ${RUN_DIR#"$ROOT"/}/):
  dashboard            http://127.0.0.1:$DASHBOARD_PORT/
  WhatsApp webhook     http://127.0.0.1:$WEBHOOK_PORT/   (verify token: \$WHATSAPP_VERIFY_TOKEN)
  sheet push (onEdit)  http://127.0.0.1:${SHEET_PUSH_PORT:-8083}/
  Firestore emulator   $FIRESTORE_EMULATOR_HOST
  Pub/Sub emulator     $PUBSUB_EMULATOR_HOST
Try:  $VENV/bin/python -m shared.cli chat --tenant demo --from 15550001111 "do you have a denim jacket in stock?"
EOF
}

stop() {
  local quiet="${1:-}"
  [ -d "$RUN_DIR" ] || return 0
  local pids=()
  for f in "$RUN_DIR"/*.pid; do
    [ -e "$f" ] || continue
    local pid; pid="$(cat "$f")"
    kill -TERM -- "-$pid" 2>/dev/null || true
    pids+=("$pid")
    rm -f "$f"
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  [ -n "$quiet" ] || say "stopped (${#pids[@]} processes)"
}

status() {
  for f in "$RUN_DIR"/*.pid; do
    [ -e "$f" ] || { echo "nothing running"; return 0; }
    local name; name="$(basename "$f" .pid)"
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "running  $name"; else echo "dead     $name"; fi
  done
}

ensure_chromium() {
  # The browser tests (tests/browser) drive Debian's Chromium through Playwright; Playwright's
  # own browser download cannot work here, so the distribution's package is installed instead.
  [ -x /usr/bin/chromium ] && return 0
  say "installing Chromium for the browser tests (apt-get install chromium)"
  if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >"$RUN_DIR/chromium-install.log" 2>&1; then
    tail -n 20 "$RUN_DIR/chromium-install.log" >&2
    die "could not install Chromium (needs root and Debian's package lists; log: $RUN_DIR/chromium-install.log): install the 'chromium' package by hand"
  fi
}

run_tests() {
  use_test_ports
  set_defaults
  mkdir -p "$RUN_DIR"
  ensure_chromium
  trap 'stop quiet' EXIT
  start
  export PATH="$VENV/bin:$PATH"
  say "running the tests"
  "$PY" -m pytest "$@"
}

cmd="${1:-run}"
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    set_defaults
    trap 'echo; stop; exit 0' INT TERM
    start
    echo "Press Ctrl-C to stop."
    while sleep 3600; do :; done
    ;;
  start) set_defaults; start ;;
  stop) set_defaults; stop ;;
  status) set_defaults; status ;;
  setup) set_defaults; mkdir -p "$RUN_DIR"; setup ;;
  test) run_tests "$@" ;;
  *) die "unknown command '$cmd' (use: start, stop, status, test, setup, or nothing to run in the foreground)" ;;
esac
