#!/usr/bin/env bash
# Backfill benchmark (issue #5): the history of a large portal — 100,000 leads, 100,000 deals made
# from them and 3 stage-history rows for each — read into journeys by the app's backfill engine,
# against what the portal's rate limit allows (2 requests/s × 50 commands × 50 rows = 5,000
# rows/s at the default limits; target ≥ 90 %). Starts the emulator on a free port (state in
# memory, files in a temp dir), then bench-backfill seeds it with the limits raised, puts the
# default limits back with an empty bucket, runs the backfill into a fresh SQLite file and prints
# a Markdown table.
# Usage: bench/backfill.sh BIN_DIR
#   BENCH_LEADS (100000), BENCH_DEALS (100000), BENCH_HISTORY (3 rows per lead and per deal),
#   BENCH_JSON (a file for the results as JSON)
set -euo pipefail
BIN="$(cd "${1:?usage: backfill.sh BIN_DIR}" && pwd)"
LEADS="${BENCH_LEADS:-100000}"
DEALS="${BENCH_DEALS:-100000}"
HISTORY="${BENCH_HISTORY:-3}"

for exe in b24-emulator bench-backfill; do
  [ -x "$BIN/$exe" ] || { echo "backfill: $BIN/$exe is missing; build first" >&2; exit 2; }
done

RUN="$(mktemp -d)"
EMULATOR_PID=
cleanup() {
  # Only the emulator this script started, by its id.
  if [ -n "$EMULATOR_PID" ]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
  fi
  rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# No --state: saving a portal of this size twice a second would be most of the emulator's work.
"$BIN/b24-emulator" --port 0 --port-file "$RUN/emulator.json" >"$RUN/emulator.log" 2>&1 &
EMULATOR_PID=$!
for _ in $(seq 1 100); do
  [ -s "$RUN/emulator.json" ] && break
  sleep 0.1
done
[ -s "$RUN/emulator.json" ] || { echo "backfill: the emulator did not start" >&2; cat "$RUN/emulator.log" >&2; exit 2; }
PORT=$(sed -E 's/.*"http":([0-9]+).*/\1/' "$RUN/emulator.json")

args=(--emulator "http://127.0.0.1:$PORT" --db "$RUN/journeys.db"
  --leads "$LEADS" --deals "$DEALS" --history "$HISTORY")
[ -n "${BENCH_JSON:-}" ] && args+=(--json "$BENCH_JSON")
"$BIN/bench-backfill" "${args[@]}"
