// Prints the conveyor's report (GET /api/portals/{member}/report, JSON on stdin) as the demo's
// closing summary: the funnel across directions, revenue once per journey beside the
// per-pipeline sums, cycle and stage times, stuck items, load and fairness.
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const report = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const pad = (text, width) => String(text).padEnd(width);
const money = (n) => Math.round(n).toLocaleString('ru-RU');
const duration = (s) => (s >= 86400 ? `${(s / 86400).toFixed(1)} d`
  : s >= 3600 ? `${(s / 3600).toFixed(1)} h` : `${Math.round(s / 60)} min`);

console.log('\nAnalytics across the three directions (GET /api/portals/{member}/report):');
console.log('  Funnel                        count   of previous');
for (const step of report.funnel) {
  const pct = `${Math.round(step.conversion * 100)}%`;
  console.log(`    ${pad(step.label, 28)}${String(step.count).padStart(5)}   ${pct.padStart(6)}`);
}
const r = report.revenue;
console.log(`  Revenue (${r.currency || 'no currency'}), counted from the ${r.revenue_from} deal:`);
console.log(`    once per journey             won ${money(r.once.won)}, open ${money(r.once.open)}`);
console.log(`    per-pipeline sums would say  won ${money(r.per_pipeline_total.won)}, ` +
            `open ${money(r.per_pipeline_total.open)}`);
console.log(`    counted twice by pipelines   won ${money(r.double_counted.won)}, ` +
            `open ${money(r.double_counted.open)}`);
if (report.cycle.count > 0) {
  console.log(`  Cycle lead → shipment: median ${duration(report.cycle.median_s)}, ` +
              `p90 ${duration(report.cycle.p90_s)} (${report.cycle.count} journeys)`);
}
const slowest = [...report.stage_times].sort((a, b) => b.median_s - a.median_s).slice(0, 3);
for (const row of slowest) {
  console.log(`  Stage ${row.direction}/${row.label}: median ${duration(row.median_s)}, ` +
              `p90 ${duration(row.p90_s)} (${row.count} stays)`);
}
console.log(`  Stuck past their stage's norm: ${report.stuck.length}`);
console.log('  Load                          direction    open  today  week  skipped');
for (const row of report.load) {
  const skipped = Object.entries(row.skipped).map(([why, n]) => `${why} ${n}`).join(', ');
  console.log(`    ${pad(row.name, 28)}${pad(row.direction, 11)}${String(row.open).padStart(6)}` +
              `${String(row.today).padStart(7)}${String(row.week).padStart(6)}  ${skipped}`);
}
for (const row of report.fairness) {
  console.log(`  Fairness ${row.direction}: ${row.users} people, ${row.min}–${row.max} this week ` +
              `(spread ${row.spread})`);
}
