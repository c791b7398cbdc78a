#!/usr/bin/env bash
# The demo: a portal emulator with a demo company, the conveyor installed into it as an admin
# would, the queues pointed at the company's departments, then a simulated call-center working
# day (b24-day) on the portal's virtual clock, which the conveyor follows; prints what happened
# and serves until Ctrl-C.
# Usage: scripts/run_demo.sh BIN_DIR [--once] [--leads N] [--seed N] [--speed X]
#   --once     stop after the day instead of serving on
#   --leads N  enquiries during the day (200)    --seed N  the day's seed (1)
#   --speed X  virtual seconds per real second (120)
#   anything else goes to `b24-day run` (--arrivals-per-minute R, --think-scale F: the benchmark's
#   rate runs)
#   EMULATOR_PORT (8090), CONVEYOR_LISTEN (127.0.0.1:8080): 0 picks a free port
#   DEMO_CLOSER_CAP (60): open deals per closer; the benchmark's long runs raise it, since the
#   simulated closers leave their deals open at the contract stage
set -euo pipefail
BIN="${1:?usage: run_demo.sh BIN_DIR [--once] [--leads N] [--seed N] [--speed X]}"
shift
ONCE=0 LEADS=200 SEED=1 SPEED=120
DAY_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --once) ONCE=1 ;;
    --leads) LEADS="${2:?--leads takes a number}"; shift ;;
    --seed) SEED="${2:?--seed takes a number}"; shift ;;
    --speed) SPEED="${2:?--speed takes a number}"; shift ;;
    *) DAY_ARGS+=("$1") ;;
  esac
  shift
done
EMULATOR_PORT="${EMULATOR_PORT:-8090}"
CONVEYOR_LISTEN="${CONVEYOR_LISTEN:-127.0.0.1:8080}"
MEMBER=demoportal00000000000000000000001
# The operations API's token for this demo only (the journal and settings API).
TOKEN="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
RUN="$(mktemp -d)"
PIDS=()
cleanup() {
  # The conveyor first: its workers are clients of the emulator.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # FILE: until a server wrote its port file
  for _ in $(seq 1 100); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  echo "demo: a server did not start:" >&2
  cat "$RUN"/*.log >&2
  exit 1
}
port_of() { sed -E 's/.*"'"$2"'":([0-9]+).*/\1/' "$1"; }
department() { grep -o '"departments":{[^}]*}' "$RUN/company.json" | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }

"$BIN/b24-emulator" --port "$EMULATOR_PORT" --webhook 1:demo --member-id "$MEMBER" \
  --client-id local.conveyor --client-secret demo-secret \
  --port-file "$RUN/emulator.json" >"$RUN/emulator.log" 2>&1 &
PIDS+=($!)
wait_for "$RUN/emulator.json"
EMU="http://127.0.0.1:$(port_of "$RUN/emulator.json" http)"

# The conveyor, registered with the emulator's OAuth server; development key for its tokens;
# its clock follows the portal's virtual one, so its timers keep step with the simulated day.
CONVEYOR_CLIENT_ID=local.conveyor CONVEYOR_CLIENT_SECRET=demo-secret CONVEYOR_OAUTH_URL="$EMU/oauth/token/" \
  CONVEYOR_DEV=1 CONVEYOR_DB="$RUN/conveyor.db" CONVEYOR_LOG_LEVEL=warn \
  CONVEYOR_CLOCK_URL="$EMU/_emulator/clock" CONVEYOR_API_TOKEN="$TOKEN" \
  CONVEYOR_BX24_URL="$EMU/_emulator/bx24.js" \
  "$BIN/conveyor" serve --listen "$CONVEYOR_LISTEN" --port-file "$RUN/conveyor.json" >"$RUN/conveyor.log" 2>&1 &
PIDS+=($!)
wait_for "$RUN/conveyor.json"
CONVEYOR="http://127.0.0.1:$(port_of "$RUN/conveyor.json" port)"
control() { curl -fsS -X POST -H 'Content-Type: application/json' -d "$2" "$EMU/_emulator/$1"; }

# The demo company: three departments and the people of DOMAIN.md, at work except one closer.
"$BIN/b24-day" company --emulator "$EMU" >"$RUN/company.json"

# The admin installs Conveyor: the installer provisions the portal and finishes the installation.
installed=$(control apps/install "{\"application_url\":\"$CONVEYOR/app\",\"installer_url\":\"$CONVEYOR/install\",\"install_event_url\":\"$CONVEYOR/b24/install\"}")
case "$installed" in
  *'"installed":true'*) ;;
  *) echo "demo: installation failed: $installed" >&2; cat "$RUN/conveyor.log" >&2; exit 1 ;;
esac
# The head of sales points the queues at the departments (until the app page of step 4 exists,
# through the operations API): caps for a day in which sales deals stay open at the contract
# stage, and 20 minutes for an operator to take a lead into work.
queues="\"hunters\":{\"departments\":[$(department hunters)]}"
queues+=",\"closers\":{\"departments\":[$(department closers)],\"cap\":${DEMO_CLOSER_CAP:-60}}"
queues+=",\"production\":{\"departments\":[$(department production)],\"cap\":40}"
curl -fsS -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"queues\":{$queues},\"sla_minutes\":{\"lead.assigned\":20}}" \
  "$CONVEYOR/api/portals/$MEMBER/settings" >/dev/null
pipelines=$(curl -fsS "$EMU/rest/1/demo/crm.category.list?entityTypeId=2" | grep -o '"name":"[^"]*"' | sed 's/"name"://; s/"//g' | paste -sd, -)
bindings=$(curl -fsS "$EMU/_emulator/state?section=bindings" | grep -o '"event"' | wc -l)
cat <<INFO

Conveyor demo is up.
  Portal emulator      $EMU   (a Bitrix24 portal; pipelines: $pipelines; $bindings event bindings)
  Conveyor server      $CONVEYOR/health
  Now a call-center day: $LEADS enquiries, seed $SEED, $SPEED virtual seconds per real second.

INFO
"$BIN/b24-day" run --emulator "$EMU" --conveyor "$CONVEYOR" \
  --leads "$LEADS" --seed "$SEED" --speed "$SPEED" ${DAY_ARGS[@]+"${DAY_ARGS[@]}"}
curl -fsS -H "Authorization: Bearer $TOKEN" "$CONVEYOR/api/portals/$MEMBER/report" |
  node "$(dirname "${BASH_SOURCE[0]}")/report_summary.mjs"
# A deal that went all the way: the production deal (its tab shows the lead and the sales deal).
deal=$(curl -fsS "$EMU/rest/1/demo/crm.deal.list?filter%5B%3EUF_CRM_CONVEYOR_SALES_DEAL%5D=0&select%5B%5D=ID" |
  grep -o '"ID":"[0-9]*"' | head -1 | grep -o '[0-9]*' || true)
cat <<INFO

Open in a browser (the portal emulator shows the app's pages as Bitrix24 would):
  The journey tab of a deal     $EMU/crm/deal/details/${deal:-1}/
  The app page (settings, analytics)  $EMU/_emulator/placements/frame?placement=DEFAULT
  The same report as JSON/CSV   curl -H 'Authorization: Bearer $TOKEN' '$CONVEYOR/api/portals/$MEMBER/report'
                                curl -H 'Authorization: Bearer $TOKEN' '$CONVEYOR/api/portals/$MEMBER/report.csv?section=funnel'

Why each item went where it went — the decisions journal:
  curl -H 'Authorization: Bearer $TOKEN' '$CONVEYOR/api/portals/$MEMBER/decisions?limit=20'
  curl -H 'Authorization: Bearer $TOKEN' '$CONVEYOR/api/portals/$MEMBER/decisions?entity_type=lead&entity_id=1'
Metrics: $CONVEYOR/metrics   Portal state: $EMU/_emulator/state
INFO
# DEMO_KEEP=DIR keeps what the day left behind (benchmarks read it): the portal's request log,
# the conveyor's metrics and its newest decisions.
if [ -n "${DEMO_KEEP:-}" ]; then
  mkdir -p "$DEMO_KEEP"
  curl -fsS "$EMU/_emulator/log" >"$DEMO_KEEP/emulator-log.json"
  curl -fsS "$CONVEYOR/metrics" >"$DEMO_KEEP/metrics.txt"
  curl -fsS -H "Authorization: Bearer $TOKEN" "$CONVEYOR/api/portals/$MEMBER/decisions?limit=1000" \
    >"$DEMO_KEEP/decisions.json"
fi
if [ "$ONCE" = 1 ]; then exit 0; fi
echo "Serving until Ctrl-C."
wait
