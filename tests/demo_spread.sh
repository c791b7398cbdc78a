#!/usr/bin/env bash
# Issue 16, "done when": in the demo day every queue's hand-outs among the people at work are at
# most one apart on any day (equal weights; the rotation starts afresh at the portal's midnight,
# and the demo's ready-later deals are handed out the next morning). Runs the demo once and
# reads b24-day's JSON summary.
# Usage: tests/demo_spread.sh BIN_DIR
set -euo pipefail
BIN="${1:?usage: demo_spread.sh BIN_DIR}"
SUMMARY="$(mktemp)"
trap 'rm -f "$SUMMARY"' EXIT
EMULATOR_PORT=0 CONVEYOR_LISTEN=127.0.0.1:0 \
  bash "$(dirname "${BASH_SOURCE[0]}")/../scripts/run_demo.sh" "$BIN" --once --leads 60 \
  --speed 3000 --json "$SUMMARY" >/dev/null
node - "$SUMMARY" <<'JS'
const s = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const queues = {
  hunters: [s.leads.per_hunter, s.leads.hunters_fairness],
  closers: [s.sales.per_closer, s.sales.closers_fairness],
  production: [s.production.per_master, s.production.masters_fairness],
};
let ok = true;
for (const [queue, [people, fairness]] of Object.entries(queues)) {
  const shown = people.map((p) => `${p.name} ${p.count}${p.at_work ? '' : ' (absent)'}`).join(', ');
  console.log(`${queue}: ${shown}; spread ${fairness.spread} (worst day ${fairness.worst_day})`);
  if (fairness.spread > 1 || fairness.worst_day === null) ok = false;
}
console.log(`reassigned by the SLA: ${s.reassigned}`);
if (s.leads.created < 60) { console.log('the day did not create its leads'); ok = false; }
process.exit(ok ? 0 : 1);
JS
