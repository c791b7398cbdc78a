#!/usr/bin/env bash
# REST economy benchmark (issue #4): HTTP requests the conveyor sends to the portal per lead over
# a simulated call-center day (arrival, dedup, distribution, SLA, hand-over, ready-later,
# carry-over, production hand-out), against what a one-call-per-command client would send for the
# same work (every command of every batch as its own request). Runs the demo (emulator, demo
# company, Conveyor installed, b24-day) once per volume and prints a Markdown table.
# Usage: bench/rest_economy.sh BIN_DIR   (BENCH_VOLUMES "20 200", BENCH_SPEED 600, BENCH_SEED 1)
set -euo pipefail
BIN="$(cd "${1:?usage: rest_economy.sh BIN_DIR}" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VOLUMES="${BENCH_VOLUMES:-20 200}"
SPEED="${BENCH_SPEED:-600}"
SEED="${BENCH_SEED:-1}"
RUN="$(mktemp -d)"
trap 'rm -rf "$RUN"' EXIT

metric() { awk -v m="$1" '$1 == m { print $2 }' "$2"; }
rows=()
for leads in $VOLUMES; do
  keep="$RUN/$leads"
  DEMO_KEEP="$keep" EMULATOR_PORT=0 CONVEYOR_LISTEN=127.0.0.1:0 \
    bash "$ROOT/scripts/run_demo.sh" "$BIN" --once --leads "$leads" --seed "$SEED" --speed "$SPEED" \
    >"$RUN/day-$leads.txt" 2>&1 || { cat "$RUN/day-$leads.txt" >&2; exit 1; }
  calls=$(metric conveyor_rest_calls_total "$keep/metrics.txt")
  commands=$(metric conveyor_rest_commands_total "$keep/metrics.txt")
  limited=$(grep -o '"QUERY_LIMIT_EXCEEDED":[0-9]*' "$keep/emulator-log.json" | cut -d: -f2 || true)
  handover=$(grep -o 'median [0-9]* s, p95 [0-9]* s' "$RUN/day-$leads.txt" || echo "n/a")
  rows+=("| $leads | $calls | $(awk -v a="$calls" -v n="$leads" 'BEGIN { printf "%.1f", a / n }') | $commands | $(awk -v a="$commands" -v n="$leads" 'BEGIN { printf "%.1f", a / n }') | $(awk -v a="$commands" -v b="$calls" 'BEGIN { printf "%.1f", a / b }') | ${limited:-0} | $handover |")
done
echo "REST economy: one simulated day per row (b24-day, seed $SEED, ${SPEED}x), $(nproc) cores"
echo
echo "| leads in the day | requests | per lead | one-call-per-command requests | per lead | commands per request | QUERY_LIMIT_EXCEEDED | hand-over to a closer (virtual) |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
