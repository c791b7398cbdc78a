// The set-up tab (issue 16, items 1, 2 and 8): the three queues with their departments and
// people picked by name, weights and caps per person, the stage of each role picked from the
// portal's own stages, what is still missing, each queue's state now, people marked away, and
// the items waiting since before the install. Nothing here takes an ID typed by hand.
// Saving stores the next settings version (If-Match: the version read); marking away is a
// call of its own, open to admins and to heads of the person's department.
import { api, boot, el, errorText, fitWindow, loading, t, tOr } from './common.js';

const QUEUES = ['hunters', 'closers', 'production'];
const LEAD_ROLES = ['duplicate_check', 'free', 'assigned', 'ready_now', 'ready_later', 'converted', 'junk'];
const PIPELINE_ROLES = ['free', 'assigned', 'meeting', 'carry_over', 'lost'];
const OPTIONAL_ROLES = new Set(['meeting', 'carry_over', 'lost']);

const clone = (value) => JSON.parse(JSON.stringify(value));

// "15 Dec" in the page's language.
function shortDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
  if (!match) return text;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toLocaleDateString(boot.lang === 'en' ? 'en-GB' : 'ru-RU', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

// "3 people, 2 at work now, 1 away until 15 Dec".
export function queueStateText(state) {
  const parts = [t('su.state.people', { n: state.people }), t('su.state.at_work', { n: state.at_work })];
  for (const away of state.away || []) {
    parts.push(away.until === 'paused' ? t('su.state.paused') : t('su.state.away_until', { date: shortDate(away.until) }));
  }
  return parts.join(', ');
}

function missingText(item) {
  const queue = tOr(`queue.${item.queue}`, item.queue || '');
  const direction = t(`dir.${item.direction || 'lead'}`);
  if (item.code === 'queue_empty') return t('su.missing.queue_empty', { queue });
  if (item.code === 'no_pipeline') return t('su.missing.no_pipeline', { direction, name: item.name || '' });
  if (item.code === 'no_stage') return t('su.missing.no_stage', { direction, role: t(`set.role.${item.role}`) });
  return item.code;
}

// A searchable list of checkboxes: departments or people, by name. `chosen` a Set of ids.
export function picker(name, items, chosen, { search = false, label } = {}) {
  // Someone chosen whom the portal no longer lists (dismissed) stays, so saving drops nobody.
  const listed = new Set(items.map((item) => item.id));
  const all = [...items, ...[...chosen].filter((id) => !listed.has(id)).map((id) => ({ id, name: `#${id}` }))];
  const boxes = all.map((item) => {
    const box = el('input', { type: 'checkbox', class: 'cv-check', value: String(item.id), dataset: { name: item.name } });
    box.checked = chosen.has(item.id);
    return el('label', { class: 'cv-pick', dataset: { name: item.name.toLowerCase() } }, box, el('span', {}, item.name));
  });
  const list = el('div', { class: 'cv-picklist', dataset: { picker: name } }, boxes);
  const filter = search ? el('input', {
    type: 'search', class: 'cv-input', placeholder: t('su.search'), 'aria-label': `${label}: ${t('su.search')}`,
    dataset: { search: name },
    oninput: (event) => {
      const needle = event.target.value.trim().toLowerCase();
      for (const row of boxes) row.hidden = needle !== '' && !row.dataset.name.includes(needle);
    },
  }) : null;
  const read = () => boxes.map((row) => row.querySelector('input')).filter((b) => b.checked).map((b) => Number(b.value));
  return { node: el('div', { class: 'cv-field' }, el('span', {}, label), filter, list), read };
}

function select(name, options, value, { empty } = {}) {
  const node = el('select', { class: 'cv-select', name },
    empty !== undefined ? el('option', { value: '' }, empty) : null,
    options.map((o) => el('option', { value: o.value }, o.label)));
  // A value the portal no longer offers stays visible, so saving does not silently change it.
  if (value && !options.some((o) => o.value === value)) node.append(el('option', { value }, `${value} (${t('su.not_found')})`));
  node.value = value || '';
  return node;
}

function numberInput(name, value, placeholder) {
  const node = el('input', { class: 'cv-input cv-input-num', type: 'number', min: 0, step: 'any', name, placeholder });
  node.value = value === undefined || value === null ? '' : String(value);
  return node;
}

// `onView(view)` is told of each view read, `onFailure()` when it could not be read.
export function initSetUp(section, { onView = () => {}, onFailure = () => {} } = {}) {
  let version = 0;
  let settings = {};
  let view = null;
  let readers = [];
  // Admins and viewers see the whole set-up (viewers cannot save); a head of a department only
  // the queues' state, and marks their people away.
  const editable = boot.user.wide;
  const result = el('div', { class: 'cv-result', id: 'cv-setup-result', 'aria-live': 'polite' });
  const say = (kind, ...content) => {
    result.replaceChildren(el('div', { class: `cv-banner cv-banner-${kind}` }, ...content));
    fitWindow();
  };
  const mayMark = (id) => view.you.may_mark === 'all' || (Array.isArray(view.you.may_mark) && view.you.may_mark.includes(id));

  async function markAway(user, body) {
    try {
      await api(`away/${user}`, body ? { method: 'PUT', body } : { method: 'DELETE' });
      await load();
      say('ok', t('su.away.saved'));
    } catch (error) {
      say('error', errorText(error));
    }
  }

  function awayControls(member) {
    if (!mayMark(member.id)) return member.away ? el('span', {}, member.away === 'paused' ? t('su.state.paused') : t('su.state.away_until', { date: shortDate(member.away) })) : '';
    if (member.away) {
      return el('div', { class: 'cv-actions' },
        el('span', {}, member.away === 'paused' ? t('su.state.paused') : t('su.state.away_until', { date: shortDate(member.away) })),
        el('button', { type: 'button', class: 'cv-btn cv-btn-small', dataset: { back: String(member.id) }, onclick: () => markAway(member.id, null) }, t('su.away.back')));
    }
    const date = el('input', { type: 'date', class: 'cv-input', name: `away.${member.id}`, 'aria-label': t('su.away.until') });
    return el('div', { class: 'cv-actions' },
      date,
      el('button', {
        type: 'button', class: 'cv-btn cv-btn-small', dataset: { away: String(member.id) },
        onclick: () => (date.value ? markAway(member.id, { until: date.value }) : say('error', t('su.away.pick_date'))),
      }, t('su.away.mark')),
      el('button', { type: 'button', class: 'cv-btn cv-btn-small', dataset: { pause: String(member.id) }, onclick: () => markAway(member.id, { paused: true }) }, t('su.away.pause')));
  }

  function membersTable(name, q, state) {
    if (!state.members.length) return el('p', { class: 'cv-muted' }, t('su.no_members'));
    const rows = state.members.map((m) => {
      if (!editable) {
        return el('tr', { dataset: { member: String(m.id) } }, el('td', {}, m.name),
          el('td', { dataset: { atWork: String(m.at_work) } }, m.at_work ? t('su.at_work') : t(`su.presence.${m.presence}`)),
          el('td', {}, awayControls(m)));
      }
      const weight = numberInput(`queues.${name}.weights.${m.id}`, (q.weights || {})[m.id], '1');
      const cap = numberInput(`queues.${name}.caps.${m.id}`, (q.caps || {})[m.id], String(q.cap || 0));
      readers.push((out, errors) => {
        const w = weight.value.trim();
        const c = cap.value.trim();
        const queue = out.queues[name];
        queue.weights = queue.weights || {};
        queue.caps = queue.caps || {};
        delete queue.weights[m.id];
        delete queue.caps[m.id];
        if (w !== '') {
          if (!(Number(w) >= 0)) errors.push(t('set.bad_number', { field: `${m.name}: ${t('su.weight')}` }));
          else queue.weights[m.id] = Number(w);
        }
        if (c !== '') {
          if (!Number.isInteger(Number(c)) || Number(c) < 0) errors.push(t('set.bad_number', { field: `${m.name}: ${t('su.cap')}` }));
          else queue.caps[m.id] = Number(c);
        }
      });
      const presence = m.at_work ? t('su.at_work') : t(`su.presence.${m.presence}`);
      return el('tr', { dataset: { member: String(m.id) } },
        el('td', {}, m.name),
        el('td', { dataset: { atWork: String(m.at_work) } }, presence, el('div', { class: 'cv-muted cv-small' }, t(`su.source.${m.source}`))),
        el('td', { class: 'cv-num' }, `${m.open_items}${m.cap ? ` / ${m.cap}` : ''}`),
        el('td', { class: 'cv-num' }, String(m.handed_out_today)),
        el('td', {}, weight),
        el('td', {}, cap),
        el('td', {}, awayControls(m)));
    });
    const head = editable ? ['su.col.name', 'su.col.presence', 'su.col.load', 'su.col.today', 'su.weight', 'su.cap', 'su.col.away']
      : ['su.col.name', 'su.col.presence', 'su.col.away'];
    return el('div', { class: 'cv-table-wrap' },
      el('table', { class: 'cv-table cv-members' }, el('thead', {}, el('tr', {}, head.map((k) => el('th', {}, t(k))))), el('tbody', {}, rows)));
  }

  function queueCard(name) {
    const q = settings.queues[name] || {};
    const state = view.queues[name] || { people: 0, at_work: 0, away: [], members: [], named_after_role: [] };
    const heading = [
      el('h3', { class: 'cv-h3' }, tOr(`queue.${name}`, name)),
      el('p', { class: 'cv-queue-state', dataset: { state: name } }, queueStateText(state)),
    ];
    if (!editable) return el('section', { class: 'cv-card cv-queue', dataset: { queue: name } }, heading, membersTable(name, q, state));
    const directory = view.directory;
    const departments = picker(`queues.${name}.departments`, directory.departments, new Set(q.departments || []), { label: t('su.departments') });
    const people = picker(`queues.${name}.users`, directory.people, new Set(q.users || []), { search: true, label: t('su.people') });
    const duty = picker(`queues.${name}.duty_users`, directory.people, new Set(q.duty_users || []), { search: true, label: t('set.q.duty_users') });
    const alert = picker(`queues.${name}.alert_users`, directory.people, new Set(q.alert_users || []), { search: true, label: t('set.q.alert_users') });
    const cap = numberInput(`queues.${name}.cap`, q.cap ?? 0, '0');
    const minutes = numberInput(`queues.${name}.fallback_after_minutes`, q.fallback_after_minutes ?? 30, '30');
    const online = el('input', { type: 'checkbox', class: 'cv-check', name: `queues.${name}.require_online` });
    online.checked = q.require_online === true;
    const fallback = select(`queues.${name}.fallback_queue`,
      QUEUES.filter((other) => other !== name).map((other) => ({ value: other, label: tOr(`queue.${other}`, other) })),
      q.fallback_queue || '', { empty: t('set.q.fallback_none') });
    readers.push((out, errors) => {
      const queue = out.queues[name];
      queue.departments = departments.read();
      queue.users = people.read();
      queue.duty_users = duty.read();
      queue.alert_users = alert.read();
      queue.require_online = online.checked;
      queue.fallback_queue = fallback.value;
      for (const [key, input] of [['cap', cap], ['fallback_after_minutes', minutes]]) {
        const value = Number(input.value);
        if (input.value.trim() === '' || !Number.isInteger(value) || value < 0) errors.push(t('set.bad_number', { field: `${tOr(`queue.${name}`, name)}: ${t(`set.q.${key}`)}` }));
        else queue[key] = value;
      }
    });
    const named = directory.departments.filter((d) => (state.named_after_role || []).includes(d.id)).map((d) => d.name);
    return el('section', { class: 'cv-card cv-queue', dataset: { queue: name } },
      heading,
      named.length ? el('p', { class: 'cv-hint', dataset: { named: name } }, t('su.named_after_role', { names: named.join(', ') })) : null,
      membersTable(name, q, state),
      el('div', { class: 'cv-two' }, departments.node, people.node),
      el('div', { class: 'cv-subgrid' },
        el('label', { class: 'cv-field' }, el('span', {}, t('set.q.cap')), cap),
        el('label', { class: 'cv-field' }, el('span', {}, t('set.q.fallback_after_minutes')), minutes),
        el('label', { class: 'cv-field' }, el('span', {}, t('set.q.fallback_queue')), fallback)),
      el('label', { class: 'cv-field cv-field-inline' }, online, el('span', {}, t('set.q.require_online'))),
      el('details', {}, el('summary', {}, t('su.duty_and_alerts')), el('div', { class: 'cv-two' }, duty.node, alert.node)));
  }

  function stagesCard() {
    const directory = view.directory;
    const stageOptions = (stages) => stages.map((s) => ({ value: s.id, label: s.name }));
    const lead = LEAD_ROLES.map((role) => {
      const node = select(`lead.${role}`, stageOptions(directory.lead_stages), (settings.lead || {})[role] || '');
      readers.push((out) => { out.lead[role] = node.value; });
      return el('label', { class: 'cv-field' }, el('span', {}, t(`set.role.${role}`)), node);
    });
    const pipelineGroup = (direction) => {
      const current = settings[direction] || {};
      const pipeline = select(`${direction}.pipeline`, directory.pipelines.map((p) => ({ value: p.name, label: p.name })), current.pipeline || '');
      const roles = el('div', { class: 'cv-grid' });
      const selects = {};
      const fill = () => {
        const chosen = directory.pipelines.find((p) => p.name === pipeline.value);
        const stages = chosen ? chosen.stages : [];
        roles.replaceChildren(...PIPELINE_ROLES.map((role) => {
          const previous = selects[role] ? selects[role].value : current[role] || '';
          // The lost role is one of the pipeline's failure stages; the others any stage.
          const offered = role === 'lost' ? stages.filter((s) => s.semantic === 'F') : stages;
          selects[role] = select(`${direction}.${role}`, stageOptions(offered), previous,
            OPTIONAL_ROLES.has(role) ? { empty: t('su.stage_none') } : {});
          return el('label', { class: 'cv-field' }, el('span', {}, t(`set.role.${role}`)), selects[role]);
        }));
        fitWindow();
      };
      pipeline.addEventListener('change', fill);
      fill();
      readers.push((out) => {
        out[direction].pipeline = pipeline.value;
        for (const role of PIPELINE_ROLES) out[direction][role] = selects[role].value;
      });
      return el('div', { class: 'cv-queue' }, el('h3', { class: 'cv-h3' }, t(`set.${direction}`)),
        el('label', { class: 'cv-field' }, el('span', {}, t('set.role.pipeline')), pipeline), roles);
    };
    return el('section', { class: 'cv-card', dataset: { part: 'stages' } },
      el('h2', { class: 'cv-h2' }, t('set.stages')),
      el('p', { class: 'cv-hint' }, t('su.stages.hint')),
      el('div', { class: 'cv-queues' },
        el('div', { class: 'cv-queue' }, el('h3', { class: 'cv-h3' }, t('set.lead')), lead),
        pipelineGroup('sales'),
        pipelineGroup('production')));
  }

  function waitingCard() {
    const w = view.waiting;
    const total = w.leads + w.sales + w.production;
    const counts = t('su.waiting.counts', { leads: w.leads, sales: w.sales, production: w.production });
    const outcome = el('div', { class: 'cv-result', id: 'cv-distribute-result', 'aria-live': 'polite' });
    const button = el('button', {
      type: 'button', class: 'cv-btn cv-btn-primary', id: 'cv-distribute', disabled: total === 0 || !view.you.admin,
      onclick: async () => {
        button.disabled = true;
        try {
          const answer = await api('setup/distribute', { method: 'POST' });
          const q = answer.queued;
          const left = answer.left.leads + answer.left.sales + answer.left.production;
          outcome.replaceChildren(el('div', { class: 'cv-banner cv-banner-ok', dataset: { queued: String(q.leads + q.sales + q.production) } },
            t('su.waiting.done', { leads: q.leads, sales: q.sales, production: q.production }),
            left ? ` ${t('su.waiting.left', { n: left })}` : ''));
        } catch (error) {
          outcome.replaceChildren(el('div', { class: 'cv-banner cv-banner-error' }, errorText(error)));
          button.disabled = false;
        }
        fitWindow();
      },
    }, t('su.waiting.distribute', { n: total }));
    return el('section', { class: 'cv-card', dataset: { part: 'waiting', total: String(total) } },
      el('h2', { class: 'cv-h2' }, t('su.waiting')),
      el('p', {}, total ? counts : t('su.waiting.none')),
      el('p', { class: 'cv-hint' }, t('su.waiting.hint')),
      button, outcome);
  }

  function missingCard() {
    const missing = view.missing || [];
    if (!missing.length) return el('div', { class: 'cv-banner cv-banner-ok', id: 'cv-setup-ready' }, t('su.ready'));
    return el('div', { class: 'cv-banner cv-banner-info', id: 'cv-setup-missing', dataset: { missing: String(missing.length) } },
      el('strong', {}, t('su.missing')),
      el('ul', {}, missing.map((m) => el('li', { dataset: { code: m.code } }, missingText(m)))));
  }

  async function save() {
    const out = clone(settings);
    out.lead = out.lead || {};
    out.sales = out.sales || {};
    out.production = out.production || {};
    out.queues = out.queues || {};
    for (const name of QUEUES) out.queues[name] = out.queues[name] || {};
    const errors = [];
    for (const read of readers) read(out, errors);
    if (errors.length) return say('error', errors.join(' '));
    try {
      const answer = await api('settings', { method: 'PUT', body: out, headers: { 'If-Match': String(version) } });
      await load();
      say('ok', t('set.saved', { version: answer.version }));
    } catch (error) {
      say('error', error.code === 'version_conflict' ? t('error.version_conflict') : errorText(error));
    }
    return undefined;
  }

  async function load() {
    if (!view) section.replaceChildren(loading());
    readers = [];
    try {
      const [answer, settingsAnswer] = await Promise.all([api('setup'), boot.user.wide ? api('settings') : null]);
      view = answer;
      if (settingsAnswer) {
        version = Number(settingsAnswer.version) || 0;
        settings = settingsAnswer.settings || {};
      }
      settings.queues = settings.queues || {};
      const parts = [
        el('h2', { class: 'cv-h2' }, t('su.title')),
        missingCard(),
        editable ? waitingCard() : null,
        ...QUEUES.map(queueCard),
        editable ? stagesCard() : null,
      ];
      if (editable) {
        const saveButton = el('button', { type: 'button', class: 'cv-btn cv-btn-success', id: 'cv-setup-save', onclick: save, disabled: !view.you.admin }, t('su.save'));
        parts.push(el('div', { class: 'cv-savebar' }, el('div', { class: 'cv-actions' }, saveButton,
          view.you.admin ? null : el('span', { class: 'cv-note' }, t('error.admin_required'))), result));
      } else {
        parts.push(result);
      }
      section.replaceChildren(...parts.filter(Boolean));
      onView(view);
    } catch (error) {
      onFailure(error);
      section.replaceChildren(el('div', { class: 'cv-state cv-state-error' }, errorText(error),
        el('button', { class: 'cv-btn', type: 'button', onclick: load }, t('common.retry'))));
    }
    fitWindow();
  }

  load();
  return { reload: load };
}
