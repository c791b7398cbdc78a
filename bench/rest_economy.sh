#!/usr/bin/env bash
# REST economy benchmark (issue #4): HTTP requests the conveyor sends to the portal per lead
# (arrival, dedup, distribution, SLA, hand-over, ready-later, carry-over, production hand-out),
# against what a one-call-per-command client would send for the same work (every command of every
# batch as its own request), with the portal's QUERY_LIMIT_EXCEEDED, the hand-over time from
# «Готов СЕЙЧАС» to a closer and whether the conveyor kept up. Runs the demo (emulator, demo
# company, Conveyor installed, b24-day) once per row and prints a Markdown table:
# - day rows (BENCH_VOLUMES): that many leads spread over a simulated working day;
# - rate rows (BENCH_RATES): leads arriving evenly at R per portal minute for BENCH_RATE_MINUTES
#   (b24-day --arrivals-per-minute), people reacting within seconds (--think-scale), until the
#   conveyor has settled. The portal's rate limit runs on its virtual clock, so "R per minute"
#   is per portal minute, and the conveyor, following that clock, keeps step. Their steady
#   window (b24-day --steady-after BENCH_STEADY_AFTER minutes, to the last arrival) is when
#   every stage of the conveyor is busy: its requests per lead arrived, and the app's inbox
#   depth at its start and end (no growing backlog) and at most. Closers may hold 1000 open
#   deals (DEMO_CLOSER_CAP): the simulated ones leave theirs open at the contract stage, and a
#   long run must not stop at their caps.
# Every count is b24-day's for its run (the installation's requests are not in it).
# Usage: bench/rest_economy.sh BIN_DIR
#   BENCH_VOLUMES "20 200"  BENCH_SPEED 600  BENCH_SEED 1
#   BENCH_RATES "200 50"  BENCH_RATE_MINUTES 10  BENCH_STEADY_AFTER 5  BENCH_THINK 0.01
#   BENCH_RATE_SPEED 5: portal speed of the rate rows (about 5 minutes each). The conveyor's,
#   the emulator's and the simulation's own processing time counts that many times over in
#   virtual seconds, and at 20x the three of them fill this machine's two cores, so a lower
#   speed gives a truer hand-over time (this one is an upper bound) and a longer run.
#   BENCH_THINK 0.01: operators act 2-15 s after a lead reaches them, closers and production
#   staff within a minute per stage, so each lead's whole way fits in the run.
set -euo pipefail
BIN="$(cd "${1:?usage: rest_economy.sh BIN_DIR}" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VOLUMES="${BENCH_VOLUMES-20 200}"  # empty: no day rows
SPEED="${BENCH_SPEED:-600}"
SEED="${BENCH_SEED:-1}"
RATES="${BENCH_RATES-200 50}"  # empty: no rate rows
RATE_MINUTES="${BENCH_RATE_MINUTES:-10}"
STEADY_AFTER="${BENCH_STEADY_AFTER:-5}"
THINK="${BENCH_THINK:-0.01}"
RUN="$(mktemp -d)"
trap 'rm -rf "$RUN"' EXIT

# field LABEL FILE: the text after a summary row's label.
field() { sed -n "s/^  $1  *//p" "$2" | head -1; }
per_lead() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.2f", a / n }'; }

rows=()
# row NAME ARRIVALS SPEED [b24-day options...]: one demo run and its table row.
row() {
  local name="$1" arrivals="$2" speed="$3"
  shift 3
  local out="$RUN/$name.txt"
  EMULATOR_PORT=0 CONVEYOR_LISTEN=127.0.0.1:0 \
    bash "$ROOT/scripts/run_demo.sh" "$BIN" --once --seed "$SEED" --speed "$speed" "$@" \
    >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  local leads requests limited commands handover backlog steady inbox
  leads=$(field "leads created" "$out" | awk '{ print $1 }')
  requests=$(field "app REST requests" "$out")
  limited=$(sed -E 's/.* ([0-9]+) QUERY_LIMIT_EXCEEDED.*/\1/' <<<"$requests")
  requests=${requests%% *}
  commands=$(field "  one call per command" "$out" | awk '{ print $1 }')
  handover=$(field "hand-over to a closer" "$out" | sed -E 's/.*median (.*) s, p95 (.*) s.*/\1 \/ \2 s/')
  backlog=$(field "backlog" "$out" | sed -E 's/caught up (.*) after the last lead.*/caught up \1 after the last arrival/; s/ at the end;.*/ at the end/')
  steady=$(field "steady window" "$out" | sed -E 's/.*\(([0-9.]+) per lead\).*/\1/')
  inbox=$(field "steady window" "$out" | sed -E 's/.*app inbox ([0-9?]+) events at the start, ([0-9?]+) at the end, at most ([0-9?]+).*/\1 → \2 (max \3)/')
  rows+=("| $leads | $arrivals | $requests | $(per_lead "$requests" "$leads") | ${steady:-} | ${inbox:-} | ${commands:-n/a} | $(per_lead "${commands:-0}" "$leads") | $limited | $handover | $backlog |")
}

for leads in $VOLUMES; do
  row "day-$leads" "day" "$SPEED" --leads "$leads"
done
export DEMO_CLOSER_CAP=1000  # the rate rows' closers (see above)
for rate in $RATES; do
  speed="${BENCH_RATE_SPEED:-5}"
  leads=$(awk -v r="$rate" -v m="$RATE_MINUTES" 'BEGIN { printf "%d", r * m }')
  row "rate-$rate" "$rate/min (${speed}x)" "$speed" --leads "$leads" \
    --arrivals-per-minute "$rate" --think-scale "$THINK" --steady-after "$STEADY_AFTER"
done

echo "REST economy: b24-day seed $SEED; day rows at ${SPEED}x; rate rows with think time x$THINK; $(nproc) cores"
echo
echo "| leads | arrivals | requests | per lead | steady window per lead | app inbox over it | one-call-per-command requests | per lead | QUERY_LIMIT_EXCEEDED | hand-over p50 / p95 (virtual) | backlog (virtual) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
