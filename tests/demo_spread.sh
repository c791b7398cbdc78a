#!/usr/bin/env bash
# Issue 16, "done when": in the demo day every queue's hand-outs are at most one apart per
# person on any day (equal weights; the rotation starts afresh at the portal's midnight, and the
# demo's ready-later deals are handed out the next morning). Runs the demo once and counts the
# hand-outs in the conveyor's decisions journal, which knows them exactly. b24-day's own spreads
# (printed too) are what an observer polling the portal sees: at a high speed, or under a
# sanitizer, an SLA reassignment between two of its polls can pass for the first hand-out.
# Usage: tests/demo_spread.sh BIN_DIR   (DEMO_SPEED, 3000 by default)
set -euo pipefail
BIN="${1:?usage: demo_spread.sh BIN_DIR}"
KEEP="$(mktemp -d)"
trap 'rm -rf "$KEEP"' EXIT
EMULATOR_PORT=0 CONVEYOR_LISTEN=127.0.0.1:0 DEMO_KEEP="$KEEP" \
  bash "$(dirname "${BASH_SOURCE[0]}")/../scripts/run_demo.sh" "$BIN" --once --leads 60 \
  --speed "${DEMO_SPEED:-3000}" --json "$KEEP/summary.json" >/dev/null
node - "$KEEP" <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const summary = JSON.parse(fs.readFileSync(`${dir}/summary.json`, 'utf8'));
const journal = JSON.parse(fs.readFileSync(`${dir}/decisions.json`, 'utf8')).decisions;
// The queues' people at work all day (b24-day's company; the absent one takes nothing).
const people = {
  hunters: summary.leads.per_hunter, closers: summary.sales.per_closer,
  production: summary.production.per_master,
};
const turns = new Set(['assigned', 'handover', 'carried_over', 'fallback_queue']);
const tz = (summary.tz_minutes ?? 180) * 60;
const count = {};  // queue -> day -> user -> hand-outs
for (const d of journal) {
  if (!turns.has(d.kind) || !d.assignee) continue;
  const queue = d.kind === 'fallback_queue' ? d.reasons.fallback_queue : d.reasons.queue;
  const day = Math.floor((d.at + tz) / 86400);
  ((count[queue] ??= {})[day] ??= {})[d.assignee] = (count[queue][day][d.assignee] ?? 0) + 1;
}
let ok = journal.length < 1000;  // the whole day's journal was read
for (const [queue, members] of Object.entries(people)) {
  const atWork = members.filter((p) => p.at_work);
  let worst = 0;
  for (const perUser of Object.values(count[queue] ?? {})) {
    const n = atWork.map((p) => perUser[p.id] ?? 0);
    worst = Math.max(worst, Math.max(...n) - Math.min(...n));
  }
  const observed = members.map((p) => `${p.name} ${p.count}${p.at_work ? '' : ' (absent)'}`);
  console.log(`${queue}: journal spread ${worst}; b24-day saw ${observed.join(', ')}`);
  // Under a sanitizer the day may end before a deal reaches production: only the hunters, who
  // get every lead, must have had turns.
  if (worst > 1 || (queue === 'hunters' && !count[queue])) ok = false;
}
console.log(`reassigned by the SLA: ${summary.reassigned}`);
if (summary.leads.created < 60) { console.log('the day did not create its leads'); ok = false; }
process.exit(ok ? 0 : 1);
JS
