// The deal and lead card tab: the item's whole journey across the three directions (lead →
// sales deal → production deal), each item's stages with when they were entered, how long the
// item stayed and who had it, and the conveyor's decisions with the reasons.
import {
  api, boot, cardLink, el, errorText, fitWindow, fmtDate, fmtDuration, fmtMoney, fmtNumber,
  loading, num, query, requireBoot, t, table, tOr, translate,
} from './common.js';

const LANES = ['lead', 'sales', 'production'];

const keyOf = (type, id) => `${type}:${num(id)}`;

// The direction of an item: the server's word, else what its kind and links say.
function directionOf(data, item) {
  const given = data.directions && data.directions[keyOf(item.entity_type, item.entity_id)];
  if (given) return given;
  if (item.entity_type === 'lead') return 'lead';
  return num(item.sales_deal_id) > 0 ? 'production' : 'sales';
}

function userName(data, id) {
  const uid = num(id);
  if (!uid) return t('common.none');
  const name = data.users && data.users[String(uid)];
  return name ? String(name) : `#${uid}`;
}

function stageName(data, stage) {
  if (!stage) return t('common.none');
  const name = data.stages && data.stages[stage];
  return name ? String(name) : String(stage);
}

function entityLabel(item) {
  return t(`entity.${item.entity_type === 'lead' ? 'lead' : 'deal'}`, { id: num(item.entity_id) });
}

function isThisCard(item) {
  return item.entity_type === boot.entity_type && num(item.entity_id) === boot.entity_id;
}

function semanticPill(data, item) {
  const semantic = ['S', 'F'].includes(item.semantic) ? item.semantic : 'P';
  return el('span', { class: `cv-pill cv-pill-${semantic}` }, stageName(data, item.stage));
}

// The stage rows of one item, oldest first: entered, how long it stayed (until the next
// transition, or until now for the stage it is in), who had it.
function stageRows(data, item, transitions, now) {
  const rows = transitions.length
    ? transitions
    : [{ stage: item.stage, at: num(item.created_at), responsible: item.responsible }];
  const finished = item.semantic === 'S' || item.semantic === 'F';
  return rows.map((row, i) => {
    const next = rows[i + 1];
    const last = !next;
    let stayed;
    if (!last) stayed = fmtDuration(num(next.at) - num(row.at));
    else if (finished) stayed = t('common.none');
    else stayed = el('span', { class: 'cv-now' }, `${fmtDuration(Math.max(0, now - num(row.at)))} · ${t('common.now')}`);
    const name = el('span', { class: last ? 'cv-stage cv-stage-current' : 'cv-stage' }, stageName(data, row.stage));
    return [name, fmtDate(num(row.at)), stayed, userName(data, row.responsible)];
  });
}

function itemCard(data, item) {
  const mine = isThisCard(item);
  const facts = [
    [t('journey.responsible'), userName(data, item.responsible)],
    num(item.amount) > 0 ? [t('journey.amount'), fmtMoney(num(item.amount), item.currency)] : null,
    item.source ? [t('journey.source'), String(item.source)] : null,
    [t('journey.created'), fmtDate(num(item.created_at))],
  ].filter(Boolean);
  return el('article', { class: mine ? 'cv-item cv-item-this' : 'cv-item', dataset: { entity: keyOf(item.entity_type, item.entity_id) } },
    el('div', { class: 'cv-item-head' },
      cardLink(item.entity_type, item.entity_id, entityLabel(item), 'cv-link cv-item-link'),
      mine ? el('span', { class: 'cv-badge' }, t('journey.this_card')) : null),
    el('div', { class: 'cv-item-title' }, item.title ? String(item.title) : t('common.none')),
    semanticPill(data, item),
    num(item.sales_deal_id) > 0 && item.entity_type === 'deal' && directionOf(data, item) === 'production'
      ? el('div', { class: 'cv-muted cv-small' }, t('journey.from_sales', { id: num(item.sales_deal_id) }))
      : null,
    el('dl', { class: 'cv-facts' }, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
}

function lanes(data, byLane) {
  const list = el('ol', { class: 'cv-lanes' });
  LANES.forEach((lane, i) => {
    const items = byLane.get(lane) || [];
    list.append(el('li', { class: `cv-lane cv-lane-${lane}${items.length ? '' : ' cv-lane-empty'}` },
      el('div', { class: 'cv-lane-head' },
        el('span', { class: 'cv-lane-step' }, String(i + 1)),
        el('span', { class: 'cv-lane-name' }, t(`dir.${lane}`)),
        el('span', { class: 'cv-lane-role' }, t(`dir.${lane}.role`))),
      items.length ? items.map((item) => itemCard(data, item)) : el('div', { class: 'cv-lane-placeholder' }, t('journey.not_yet'))));
  });
  const other = byLane.get('other') || [];
  if (other.length) {
    list.append(el('li', { class: 'cv-lane cv-lane-other' },
      el('div', { class: 'cv-lane-head' }, el('span', { class: 'cv-lane-name' }, t('dir.other'))),
      other.map((item) => itemCard(data, item))));
  }
  return list;
}

function history(data, ordered, transitionsOf, now) {
  const section = el('section', { class: 'cv-card' }, el('h2', { class: 'cv-h2' }, t('journey.history')));
  for (const item of ordered) {
    const rows = stageRows(data, item, transitionsOf.get(keyOf(item.entity_type, item.entity_id)) || [], now);
    section.append(el('div', { class: 'cv-history' },
      el('h3', { class: 'cv-h3' },
        el('span', { class: `cv-dot cv-dot-${directionOf(data, item)}` }),
        cardLink(item.entity_type, item.entity_id, entityLabel(item)),
        item.title ? el('span', { class: 'cv-muted' }, ` «${item.title}»`) : null),
      rows.length
        ? table([t('journey.stage'), t('journey.entered'), t('journey.stayed'), t('journey.responsible')], rows, { className: 'cv-stages' })
        : el('p', { class: 'cv-muted' }, t('journey.no_history'))));
  }
  return section;
}

function verdictBadge(verdict) {
  const known = ['chosen', 'eligible', 'inactive', 'absent', 'offline', 'at_cap', 'zero_weight'];
  const name = known.includes(verdict) ? verdict : 'eligible';
  return el('span', { class: `cv-verdict cv-verdict-${name}` }, t(`verdict.${name}`));
}

function decision(data, entry) {
  const reasons = entry.reasons && typeof entry.reasons === 'object' ? entry.reasons : {};
  const candidates = Array.isArray(reasons.candidates) ? reasons.candidates : [];
  const assignee = num(entry.assignee);
  const skipped = candidates.filter((c) => c.verdict !== 'chosen' && num(c.user_id) !== assignee);
  const notes = [];
  if (reasons.queue) notes.push(t('journey.queue', { queue: tOr(`queue.${reasons.queue}`, reasons.queue) }));
  if (num(reasons.from) > 0) notes.push(t('journey.from', { name: userName(data, reasons.from) }));
  if (num(reasons.waited_minutes) > 0) notes.push(t('journey.waited', { minutes: num(reasons.waited_minutes) }));
  if (num(reasons.ready_at) > 0) notes.push(t('journey.ready_at', { date: fmtDate(num(reasons.ready_at)) }));
  if (typeof reasons.why === 'string' && reasons.why) notes.push(tOr(`why.${reasons.why}`, reasons.why));
  const item = { entity_type: entry.entity_type, entity_id: entry.entity_id };
  const kind = tOr(`kind.${entry.kind}`, entry.kind);
  return el('div', { class: `cv-decision cv-decision-${assignee ? 'chosen' : 'none'}`, dataset: { kind: String(entry.kind) } },
    el('div', { class: 'cv-decision-line' },
      el('span', { class: 'cv-decision-time' }, fmtDate(num(entry.at))),
      el('span', { class: 'cv-decision-kind' }, kind),
      el('span', { class: 'cv-muted' }, entityLabel(item)),
      el('span', { class: 'cv-decision-who' },
        assignee ? t('journey.summary.chosen', { name: userName(data, assignee) }) : t('journey.summary.nobody'))),
    notes.length ? el('div', { class: 'cv-muted cv-small' }, notes.join(' · ')) : null,
    skipped.length
      ? el('div', { class: 'cv-skipped' }, t('journey.summary.skipped', {
        list: skipped.map((c) => `${userName(data, c.user_id)} — ${tOr(`verdict.${c.verdict}`, c.verdict)}`).join('; '),
      }))
      : null,
    candidates.length
      ? el('details', { class: 'cv-candidates-box' },
        el('summary', {}, t('journey.candidates', { count: candidates.length })),
        table(
          [t('cand.user'), t('cand.verdict'), t('cand.presence'), t('cand.open'), t('cand.weight'), t('cand.load')],
          candidates.map((c) => [
            userName(data, c.user_id),
            verdictBadge(c.verdict),
            tOr(`presence.${c.presence || 'unknown'}`, c.presence),
            num(c.cap) > 0 ? t('cand.cap_of', { open: num(c.open_items), cap: num(c.cap) }) : fmtNumber(num(c.open_items)),
            fmtNumber(num(c.weight), 2),
            fmtNumber(num(c.load), 2),
          ]),
          { numeric: [3, 4, 5], className: 'cv-candidates' }))
      : null);
}

function decisions(data) {
  const list = Array.isArray(data.decisions) ? [...data.decisions] : [];
  list.sort((a, b) => num(a.at) - num(b.at) || num(a.id) - num(b.id));
  return el('section', { class: 'cv-card' },
    el('h2', { class: 'cv-h2' }, t('journey.decisions')),
    el('p', { class: 'cv-muted cv-small' }, t('journey.decisions.hint')),
    list.length
      ? el('div', { class: 'cv-decisions' }, list.map((entry) => decision(data, entry)))
      : el('p', { class: 'cv-muted' }, t('journey.no_decisions')));
}

export function renderJourney(root, data) {
  const items = Array.isArray(data.items) ? data.items : [];
  const now = num(data.now) || Date.now() / 1000;
  const transitionsOf = new Map();
  for (const tr of Array.isArray(data.transitions) ? data.transitions : []) {
    const key = keyOf(tr.entity_type, tr.entity_id);
    if (!transitionsOf.has(key)) transitionsOf.set(key, []);
    transitionsOf.get(key).push(tr);
  }
  for (const list of transitionsOf.values()) list.sort((a, b) => num(a.at) - num(b.at));
  const byLane = new Map();
  for (const item of items) {
    const lane = LANES.includes(directionOf(data, item)) ? directionOf(data, item) : 'other';
    if (!byLane.has(lane)) byLane.set(lane, []);
    byLane.get(lane).push(item);
  }
  for (const list of byLane.values()) list.sort((a, b) => num(a.created_at) - num(b.created_at));
  const ordered = [...LANES, 'other'].flatMap((lane) => byLane.get(lane) || []);
  root.replaceChildren(lanes(data, byLane), history(data, ordered, transitionsOf, now), decisions(data));
}

function emptyState(root) {
  root.replaceChildren(el('div', { class: 'cv-state cv-empty' },
    el('div', { class: 'cv-empty-icon' }, '⟶'),
    el('h2', { class: 'cv-h2' }, t('journey.empty.title')),
    el('p', { class: 'cv-muted' }, t('journey.empty.text'))));
}

async function main() {
  translate();
  document.title = t('journey.title');
  const root = document.getElementById('journey');
  if (!requireBoot(root)) return;
  const type = boot.entity_type === 'lead' ? 'lead' : boot.entity_type === 'deal' ? 'deal' : '';
  if (!type || !boot.entity_id) {
    root.replaceChildren(el('div', { class: 'cv-state' }, t('journey.no_item')));
    fitWindow();
    return;
  }
  root.replaceChildren(loading());
  try {
    const data = await api(`journey${query({ entity_type: type, entity_id: boot.entity_id })}`);
    renderJourney(root, data || {});
  } catch (error) {
    if (error.code === 'unknown_item') emptyState(root);
    else root.replaceChildren(el('div', { class: 'cv-state cv-state-error' }, errorText(error),
      el('button', { class: 'cv-btn', type: 'button', onclick: main }, t('common.retry'))));
  }
  fitWindow();
}

main();
