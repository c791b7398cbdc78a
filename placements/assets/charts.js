// Hand-drawn inline SVG charts: horizontal bars (with an optional lighter bar behind, e.g. the
// 90th percentile behind the median), a centred funnel and stacked bars. Labels are text nodes.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function frame(width, height, title) {
  const root = svg('svg', {
    class: 'cv-chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
    preserveAspectRatio: 'xMinYMin meet',
  });
  if (title) root.append(svg('title', {}, title));
  return root;
}

// Cuts a label to fit roughly `chars` characters.
function fit(text, chars) {
  const s = String(text ?? '');
  return s.length > chars ? `${s.slice(0, chars - 1)}…` : s;
}

// rows: [{label, value, text, ghost?, color?}]; bars scaled to the largest value or ghost.
export function barChart(rows, { title = '', width = 640, labelWidth = 190, valueWidth = 120, bar = 18, gap = 10, color = '#2fc6f6', ghostColor = '#d5f2fc' } = {}) {
  const height = Math.max(1, rows.length) * (bar + gap) + gap;
  const root = frame(width, height, title);
  const max = Math.max(1e-9, ...rows.map((r) => Math.max(r.value || 0, r.ghost || 0)));
  const span = width - labelWidth - valueWidth - 10;
  rows.forEach((row, i) => {
    const y = gap + i * (bar + gap);
    const g = svg('g', { class: 'cv-bar' });
    g.append(svg('text', { x: labelWidth - 8, y: y + bar / 2 + 4, 'text-anchor': 'end' }, fit(row.label, Math.floor(labelWidth / 7))));
    g.append(svg('rect', { x: labelWidth, y, width: span, height: bar, rx: 3, fill: '#f3f5f7' }));
    if (row.ghost) {
      g.append(svg('rect', { x: labelWidth, y, width: Math.max(2, (row.ghost / max) * span), height: bar, rx: 3, fill: ghostColor }));
    }
    g.append(svg('rect', { x: labelWidth, y, width: Math.max(row.value > 0 ? 2 : 0, (row.value / max) * span), height: bar, rx: 3, fill: row.color || color }));
    g.append(svg('text', { x: labelWidth + span + 8, y: y + bar / 2 + 4, class: 'cv-chart-value' }, row.text ?? String(row.value)));
    root.append(g);
  });
  return root;
}

// steps: [{label, count, text, color?}]: centred bars narrowing down the funnel.
export function funnelChart(steps, { title = '', width = 640, labelWidth = 170, valueWidth = 130, bar = 26, gap = 6, color = '#2fc6f6' } = {}) {
  const height = Math.max(1, steps.length) * (bar + gap) + gap;
  const root = frame(width, height, title);
  const span = width - labelWidth - valueWidth - 10;
  const max = Math.max(1, ...steps.map((s) => s.count || 0));
  steps.forEach((step, i) => {
    const y = gap + i * (bar + gap);
    const w = Math.max(step.count > 0 ? 4 : 0, ((step.count || 0) / max) * span);
    const x = labelWidth + (span - w) / 2;
    root.append(svg('text', { x: labelWidth - 8, y: y + bar / 2 + 4, 'text-anchor': 'end' }, fit(step.label, Math.floor(labelWidth / 7))));
    root.append(svg('rect', { x, y, width: w, height: bar, rx: 4, fill: step.color || color }));
    if (w > 44) {
      root.append(svg('text', { x: labelWidth + span / 2, y: y + bar / 2 + 4, 'text-anchor': 'middle', class: 'cv-chart-inside' }, step.count));
    }
    root.append(svg('text', { x: labelWidth + span + 8, y: y + bar / 2 + 4, class: 'cv-chart-value' }, step.text ?? ''));
  });
  return root;
}

// rows: [{label, parts: [{value, color}], text}]: stacked bars on one scale.
export function stackedChart(rows, { title = '', width = 640, labelWidth = 190, valueWidth = 130, bar = 26, gap = 12 } = {}) {
  const height = Math.max(1, rows.length) * (bar + gap) + gap;
  const root = frame(width, height, title);
  const span = width - labelWidth - valueWidth - 10;
  const totals = rows.map((r) => r.parts.reduce((sum, p) => sum + Math.max(0, p.value || 0), 0));
  const max = Math.max(1e-9, ...totals);
  rows.forEach((row, i) => {
    const y = gap + i * (bar + gap);
    root.append(svg('text', { x: labelWidth - 8, y: y + bar / 2 + 4, 'text-anchor': 'end' }, fit(row.label, Math.floor(labelWidth / 7))));
    root.append(svg('rect', { x: labelWidth, y, width: span, height: bar, rx: 3, fill: '#f3f5f7' }));
    let x = labelWidth;
    for (const part of row.parts) {
      const w = (Math.max(0, part.value || 0) / max) * span;
      if (w <= 0) continue;
      const rect = svg('rect', { x, y, width: w, height: bar, fill: part.color });
      if (part.title) rect.append(svg('title', {}, part.title));
      root.append(rect);
      x += w;
    }
    root.append(svg('text', { x: labelWidth + span + 8, y: y + bar / 2 + 4, class: 'cv-chart-value' }, row.text ?? ''));
  });
  return root;
}

export const COLORS = {
  lead: '#39a8ef', sales: '#ffa900', production: '#7bd500', other: '#a8adb4',
  won: '#9dcf00', open: '#c5ecfa', double: '#ff5752', doubleOpen: '#ffb3b0',
};
