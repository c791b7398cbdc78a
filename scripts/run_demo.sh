#!/usr/bin/env bash
# Starts the portal emulator with a demo company and the conveyor server, and prints where they
# are: the demo company is created and Conveyor installed into the portal (provisioning its
# pipelines, stages, fields, event bindings and tabs).
# Usage: scripts/run_demo.sh BIN_DIR [--once|--day]   (EMULATOR_PORT, CONVEYOR_LISTEN: 0 = any port)
#   --once  stops right after start-up
#   --day   plays a simulated working day (b24-day run; DAY_LEADS, DAY_SEED, DAY_SPEED) and stops
set -euo pipefail
BIN="${1:?usage: run_demo.sh BIN_DIR [--once|--day]}"
ONCE=0
DAY=0
[ "${2:-}" = "--once" ] && ONCE=1
[ "${2:-}" = "--day" ] && DAY=1
EMULATOR_PORT="${EMULATOR_PORT:-8090}"
CONVEYOR_LISTEN="${CONVEYOR_LISTEN:-127.0.0.1:8080}"
RUN="$(mktemp -d)"
cleanup() {
  # shellcheck disable=SC2046 # one word per job
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT INT TERM

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

"$BIN/b24-emulator" --port "$EMULATOR_PORT" --webhook 1:demo --member-id demoportal00000000000000000000001 \
  --client-id local.conveyor --client-secret demo-secret \
  --port-file "$RUN/emulator.json" >"$RUN/emulator.log" 2>&1 &
wait_for "$RUN/emulator.json"
EMU="http://127.0.0.1:$(port_of "$RUN/emulator.json" http)"

# The conveyor, registered with the emulator's OAuth server; development key for its tokens.
CONVEYOR_CLIENT_ID=local.conveyor CONVEYOR_CLIENT_SECRET=demo-secret CONVEYOR_OAUTH_URL="$EMU/oauth/token/" \
  CONVEYOR_DEV=1 CONVEYOR_DB="$RUN/conveyor.db" CONVEYOR_LOG_LEVEL=warn \
  "$BIN/conveyor" serve --listen "$CONVEYOR_LISTEN" --port-file "$RUN/conveyor.json" >"$RUN/conveyor.log" 2>&1 &
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
pipelines=$(curl -fsS "$EMU/rest/1/demo/crm.category.list?entityTypeId=2" | grep -o '"name":"[^"]*"' | sed 's/"name"://; s/"//g' | paste -sd, -)
bindings=$(curl -fsS "$EMU/_emulator/state?section=bindings" | grep -o '"event"' | wc -l)

health=$(curl -fsS "$CONVEYOR/health")
users=$(curl -fsS "$EMU/rest/1/demo/user.get" | grep -o '"ID"' | wc -l)
cat <<INFO

Conveyor demo is up.
  Portal emulator      $EMU            (a Bitrix24 portal, $users users)
    pipelines          $pipelines
    Conveyor installed $bindings event bindings, deal and lead tabs
    REST via webhook   $EMU/rest/1/demo/user.get
    control API        $EMU/_emulator/state
  Conveyor server      $CONVEYOR/health   $health

Conveyor stores the portal's tokens encrypted and distributes leads and deals on CRM events;
scripts/run_demo.sh BIN_DIR --day plays a simulated call-center day against it.
INFO
if [ "$ONCE" = 1 ]; then exit 0; fi
if [ "$DAY" = 1 ]; then
  "$BIN/b24-day" run --emulator "$EMU" --conveyor "$CONVEYOR" \
    --leads "${DAY_LEADS:-200}" --seed "${DAY_SEED:-1}" --speed "${DAY_SPEED:-120}"
  exit 0
fi
echo "Press Ctrl-C to stop."
wait
