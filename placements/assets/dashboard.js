// The analytics dashboard: filters, then the report of journeys — the funnel across the three
// directions, revenue once per journey against the pipelines' sum (the double counting shown),
// time in stages and the whole cycle, stuck cards, load and fairness, the reasons items were
// lost for (failure stages per direction and per person) — each with a CSV download.
import { barChart, COLORS, funnelChart, stackedChart } from './charts.js';
import {
  api, banner, cardLink, el, errorText, fitWindow, fmtDate, fmtDuration, fmtMoney,
  fmtNumber, fmtPercent, loading, num, query, t, table, tOr,
} from './common.js';

const employees = new Map(); // user id -> name, from every report seen

function filters(form) {
  const data = new FormData(form);
  const out = {};
  for (const key of ['from', 'to', 'source', 'region', 'employee', 'pipeline']) {
    const value = String(data.get(key) || '').trim();
    if (value) out[key] = value;
  }
  return out;
}

function isoDay(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function direction(name) {
  return tOr(`dir.${name}`, name || t('common.none'));
}

async function downloadCsv(section, current) {
  try {
    const response = await api(`report.csv${query({ ...current, section })}`, { raw: true });
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: `conveyor-${section}-${isoDay(new Date())}.csv` });
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) {
    banner(errorText(error));
  }
}

function card(title, section, current, ...content) {
  return el('section', { class: 'cv-card', dataset: { section } },
    el('div', { class: 'cv-card-head' },
      el('h2', { class: 'cv-h2' }, title),
      el('button', {
        type: 'button', class: 'cv-btn cv-btn-small', dataset: { csv: section },
        onclick: () => downloadCsv(section, current),
      }, `⤓ ${t('common.csv')}`)),
    ...content);
}

function kpis(report) {
  const revenue = report.revenue || {};
  const once = revenue.once || {};
  const cycle = report.cycle || {};
  const stuck = Array.isArray(report.stuck) ? report.stuck.length : 0;
  const kpi = (label, value, name) => el('div', { class: 'cv-kpi', dataset: { kpi: name } },
    el('div', { class: 'cv-kpi-label' }, label), el('div', { class: 'cv-kpi-value' }, value));
  return el('div', { class: 'cv-kpis' },
    kpi(t('dash.kpi.journeys'), fmtNumber(num(revenue.journeys)), 'journeys'),
    kpi(t('dash.kpi.revenue'), fmtMoney(num(once.won), revenue.currency), 'revenue'),
    kpi(t('dash.kpi.cycle'), num(cycle.count) ? fmtDuration(num(cycle.median_s)) : t('common.none'), 'cycle'),
    kpi(t('dash.kpi.stuck'), fmtNumber(stuck), 'stuck'));
}

// The direction a funnel step belongs to: the lead steps, then the sales pipeline's
// ("handed_over", "sales:<stage>"), then production's.
function stepDirection(step) {
  const key = String(step.step || '');
  if (key === 'leads' || key === 'qualified') return 'lead';
  if (key === 'handed_over' || key.startsWith('sales:')) return 'sales';
  if (key === 'carried_over' || key === 'shipped' || key.startsWith('production:')) return 'production';
  return 'other';
}

function stepLabel(step) {
  return tOr(`funnel.${step.step}`, step.label || step.step || '');
}

function funnel(report, current) {
  const steps = Array.isArray(report.funnel) ? report.funnel : [];
  if (!steps.length) return card(t('dash.funnel'), 'funnel', current, el('p', { class: 'cv-muted' }, t('dash.empty')));
  return card(t('dash.funnel'), 'funnel', current,
    el('div', { class: 'cv-two' },
      funnelChart(steps.map((s, i) => ({
        label: stepLabel(s),
        count: num(s.count),
        color: COLORS[stepDirection(s)],
        text: i === 0 ? fmtNumber(num(s.count)) : `${fmtNumber(num(s.count))} · ${fmtPercent(num(s.conversion))}`,
      })), { title: t('dash.funnel'), width: 540, labelWidth: 190, valueWidth: 90 }),
      table([t('dash.funnel.step'), t('dash.funnel.count'), t('dash.funnel.conversion'), t('dash.funnel.of_first')],
        steps.map((s) => [
          el('span', { class: 'cv-dir' }, el('span', { class: `cv-dot cv-dot-${stepDirection(s)}` }), ' ', stepLabel(s)),
          fmtNumber(num(s.count)), fmtPercent(num(s.conversion)), fmtPercent(num(s.of_first)),
        ]),
        { numeric: [1, 2, 3], className: 'cv-compact' })));
}

function revenue(report, current) {
  const r = report.revenue || {};
  const currency = r.currency || 'RUB';
  const once = r.once || {};
  const total = r.per_pipeline_total || {};
  const doubled = r.double_counted || {};
  const money = (v) => fmtMoney(num(v), currency);
  const chart = stackedChart([
    {
      label: t('dash.revenue.once'),
      parts: [
        { value: num(once.won), color: COLORS.won, title: `${t('dash.revenue.won')}: ${money(once.won)}` },
        { value: num(once.open), color: COLORS.open, title: `${t('dash.revenue.open')}: ${money(once.open)}` },
      ],
      text: money(num(once.won) + num(once.open)),
    },
    {
      label: t('dash.revenue.per_pipeline'),
      parts: [
        { value: num(total.won) - num(doubled.won), color: COLORS.won },
        { value: num(doubled.won), color: COLORS.double, title: `${t('dash.revenue.double')}: ${money(doubled.won)}` },
        { value: num(total.open) - num(doubled.open), color: COLORS.open },
        { value: num(doubled.open), color: COLORS.doubleOpen, title: `${t('dash.revenue.double')}: ${money(doubled.open)}` },
      ],
      text: money(num(total.won) + num(total.open)),
    },
  ], { title: t('dash.revenue'), width: 520, labelWidth: 150, valueWidth: 110 });
  const legend = el('div', { class: 'cv-revenue-legend' },
    el('span', {}, el('span', { class: 'cv-swatch cv-swatch-won' }), t('dash.revenue.won')),
    el('span', {}, el('span', { class: 'cv-swatch cv-swatch-open' }), t('dash.revenue.open')),
    el('span', {}, el('span', { class: 'cv-swatch cv-swatch-double' }), t('dash.revenue.double')));
  const pipelines = Array.isArray(r.per_pipeline) ? r.per_pipeline : [];
  const rows = pipelines.map((p) => [direction(p.pipeline), fmtNumber(num(p.deals)), money(p.won), money(p.open)]);
  rows.push([el('strong', {}, t('dash.revenue.per_pipeline')), '', el('strong', {}, money(total.won)), el('strong', {}, money(total.open))]);
  rows.push([el('strong', {}, t('dash.revenue.once')), fmtNumber(num(r.journeys)), el('strong', {}, money(once.won)), el('strong', {}, money(once.open))]);
  rows.push([el('span', { class: 'cv-double' }, t('dash.revenue.double')), '',
    el('span', { class: 'cv-double', dataset: { double: 'won' } }, money(doubled.won)),
    el('span', { class: 'cv-double' }, money(doubled.open))]);
  return card(t('dash.revenue'), 'revenue', current,
    el('p', { class: 'cv-hint' }, t('dash.revenue.hint')),
    el('div', { class: 'cv-two' },
      el('div', {}, legend, chart),
      table([t('dash.revenue.pipeline'), t('dash.revenue.deals'), t('dash.revenue.won'), t('dash.revenue.open')], rows,
        { numeric: [1, 2, 3], className: 'cv-compact' })));
}

function stageTimes(report, current) {
  const rows = Array.isArray(report.stage_times) ? report.stage_times : [];
  const cycle = report.cycle || {};
  const content = [];
  if (rows.length) {
    const parts = [];
    parts.push(barChart(rows.map((s) => ({
      label: `${s.label || s.stage}`,
      value: num(s.median_s),
      ghost: num(s.p90_s),
      color: COLORS[s.direction] || COLORS.other,
      text: `${fmtDuration(num(s.median_s))} / ${fmtDuration(num(s.p90_s))}`,
    })), { title: t('dash.stage_times'), width: 540, labelWidth: 150, valueWidth: 130 }));
    parts.push(table(
      [t('dash.stage_times.stage'), t('dash.stage_times.count'), t('dash.stage_times.median'), t('dash.stage_times.p90')],
      rows.map((s) => [
        el('span', { title: direction(s.direction) }, el('span', { class: `cv-dot cv-dot-${s.direction}` }), ' ', String(s.label || s.stage)),
        fmtNumber(num(s.count)), fmtDuration(num(s.median_s)), fmtDuration(num(s.p90_s)),
      ]),
      { numeric: [1, 2, 3], className: 'cv-compact' }));
    content.push(el('div', { class: 'cv-two' }, parts));
  } else {
    content.push(el('p', { class: 'cv-muted' }, t('dash.empty')));
  }
  content.push(el('p', { class: 'cv-cycle', dataset: { cycle: '' } }, t('dash.cycle', {
    median: num(cycle.count) ? fmtDuration(num(cycle.median_s)) : t('common.none'),
    p90: num(cycle.count) ? fmtDuration(num(cycle.p90_s)) : t('common.none'),
    count: fmtNumber(num(cycle.count)),
  })));
  return card(t('dash.stage_times'), 'stage_times', current, ...content);
}

function stuck(report, current) {
  const rows = Array.isArray(report.stuck) ? report.stuck : [];
  if (!rows.length) return card(t('dash.stuck'), 'stuck', current, el('p', { class: 'cv-muted' }, t('dash.stuck.none')));
  return card(t('dash.stuck'), 'stuck', current, table(
    [t('dash.stuck.item'), t('dash.pipeline'), t('journey.stage'), t('journey.responsible'), t('dash.stuck.since'), t('dash.stuck.norm'), t('dash.stuck.over')],
    rows.map((s) => [
      cardLink(s.entity_type, s.entity_id, s.title ? String(s.title) : `№${num(s.entity_id)}`),
      direction(s.direction),
      String(s.label || s.stage || ''),
      String(s.responsible ?? ''),
      fmtDate(num(s.since)),
      fmtDuration(num(s.norm_s)),
      el('span', { class: 'cv-over' }, `+${fmtDuration(num(s.over_s))}`),
    ]),
    { numeric: [5, 6] }));
}

function load(report, current) {
  const rows = Array.isArray(report.load) ? report.load : [];
  const fairness = Array.isArray(report.fairness) ? report.fairness : [];
  if (!rows.length) return card(t('dash.load'), 'load', current, el('p', { class: 'cv-muted' }, t('dash.load.none')));
  const skipped = (s) => Object.entries(s && typeof s === 'object' ? s : {})
    .filter(([, n]) => num(n) > 0)
    .map(([why, n]) => `${tOr(`verdict.${why}`, why)}: ${fmtNumber(num(n))}`)
    .join(', ') || t('common.none');
  const userName = (u) => String(u.name || `#${num(u.user_id)}`);
  return card(t('dash.load'), 'load', current,
    el('div', { class: 'cv-two' },
      el('div', {},
        barChart(rows.map((u) => ({
          label: userName(u),
          value: num(u.open),
          color: COLORS[u.direction] || COLORS.other,
          text: `${fmtNumber(num(u.open))} · ${t('dash.load.today').toLowerCase()} ${fmtNumber(num(u.today))}`,
        })), { title: t('dash.load'), width: 520, labelWidth: 150, valueWidth: 100 })),
      el('div', {},
        el('h3', { class: 'cv-h3' }, t('dash.fairness')),
        table([t('dash.pipeline'), t('dash.fairness.users'), t('dash.fairness.min'), t('dash.fairness.max'), t('dash.fairness.spread')],
          fairness.map((f) => [direction(f.direction), fmtNumber(num(f.users)), fmtNumber(num(f.min)), fmtNumber(num(f.max)), fmtNumber(num(f.spread))]),
          { numeric: [1, 2, 3, 4] }))),
    table([t('cand.user'), t('dash.pipeline'), t('dash.load.open'), t('dash.load.today'), t('dash.load.week'), t('dash.load.skipped')],
      rows.map((u) => [userName(u), direction(u.direction), fmtNumber(num(u.open)), fmtNumber(num(u.today)), fmtNumber(num(u.week)), skipped(u.skipped)]),
      { numeric: [2, 3, 4] }));
}

// Lost items by failure stage per direction (the direction's own lost stage marked), then per
// person who had them when they failed.
function reasons(report, current) {
  const data = report.reasons && typeof report.reasons === 'object' ? report.reasons : {};
  const rows = Array.isArray(data.by_stage) ? data.by_stage : [];
  const people = Array.isArray(data.by_person) ? data.by_person : [];
  if (!rows.length) return card(t('dash.reasons'), 'reasons', current, el('p', { class: 'cv-muted' }, t('dash.reasons.none')));
  const reason = (r) => {
    const label = String(r.label || r.stage || '');
    return r.role ? el('span', {}, el('strong', {}, label), ` (${t('dash.reasons.chosen')})`) : label;
  };
  return card(t('dash.reasons'), 'reasons', current,
    table([t('dash.pipeline'), t('dash.reasons.reason'), t('dash.reasons.count'), t('dash.reasons.share')],
      rows.map((r) => [direction(r.direction), reason(r), fmtNumber(num(r.count)), fmtPercent(num(r.share))]),
      { numeric: [2, 3] }),
    el('h3', { class: 'cv-h3' }, t('dash.reasons.people')),
    table([t('cand.user'), t('dash.pipeline'), t('dash.reasons.reason'), t('dash.reasons.count')],
      people.map((p) => [String(p.name || `#${num(p.user_id)}`), direction(p.direction), reason(p), fmtNumber(num(p.count))]),
      { numeric: [3] }));
}

function fillEmployees(select, report) {
  for (const u of Array.isArray(report.load) ? report.load : []) {
    if (num(u.user_id) > 0 && u.name) employees.set(String(num(u.user_id)), String(u.name));
  }
  const chosen = select.value;
  const first = select.options[0];
  select.replaceChildren(first, ...[...employees.entries()]
    .sort((a, b) => a[1].localeCompare(b[1]))
    .map(([id, name]) => el('option', { value: id }, name)));
  select.value = employees.has(chosen) ? chosen : '';
}

export function renderReport(root, report, current) {
  root.replaceChildren(
    el('p', { class: 'cv-muted cv-small' }, t('dash.generated', { date: fmtDate(num(report.generated_at)) })),
    kpis(report),
    funnel(report, current),
    revenue(report, current),
    stageTimes(report, current),
    stuck(report, current),
    load(report, current),
    reasons(report, current));
}

export function initDashboard(section) {
  const form = section.querySelector('#cv-filters');
  const root = section.querySelector('#cv-report');
  let generation = 0;
  async function refresh() {
    const current = filters(form);
    const mine = ++generation;
    root.replaceChildren(loading());
    try {
      const report = await api(`report${query(current)}`);
      if (mine !== generation) return;
      fillEmployees(form.elements.employee, report || {});
      renderReport(root, report || {}, current);
    } catch (error) {
      if (mine !== generation) return;
      root.replaceChildren(el('div', { class: 'cv-state cv-state-error' }, errorText(error),
        el('button', { class: 'cv-btn', type: 'button', onclick: refresh }, t('common.retry'))));
    }
    fitWindow();
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  for (const button of form.querySelectorAll('[data-period]')) {
    button.addEventListener('click', () => {
      if (button.dataset.period === 'all') {
        form.elements.from.value = '';
        form.elements.to.value = '';
      } else {
        const to = new Date();
        const from = new Date(to.getTime() - (Number(button.dataset.period) - 1) * 86400000);
        form.elements.from.value = isoDay(from);
        form.elements.to.value = isoDay(to);
      }
      refresh();
    });
  }
  refresh();
}
