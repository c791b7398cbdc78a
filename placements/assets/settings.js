// The settings tab: a form over the portal's rules (SLA norms, working hours, task templates,
// the fields a hand-over copies, who sees the reports and the stage norms) with the texts as
// JSON; the queues and stage roles are picked on the set-up tab. People, fields and stages are
// picked by name from the portal's directory (GET …/setup), never typed as IDs or codes. Preview asks
// the server what would change, Save stores the next version (If-Match: the version read).
// Only an admin may save.
import { api, boot, el, errorText, fitWindow, loading, t, table } from './common.js';
import { picker } from './setup.js';

const SLA_KEYS = ['lead.assigned', 'sales.assigned', 'production.assigned'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const ADVANCED = ['language', 'texts'];
const DATE_TYPES = new Set(['date', 'datetime']);
// The stage roles a task may start at, per direction (core::TaskTemplate's stage).
const TASK_ROLES = {
  lead: ['duplicate_check', 'free', 'assigned', 'ready_now', 'ready_later'],
  sales: ['free', 'assigned', 'meeting', 'carry_over'],
  production: ['free', 'assigned'],
};
const DIRECTIONS = ['lead', 'sales', 'production'];

const clone = (value) => JSON.parse(JSON.stringify(value));

// Sets `obj[a][b]…` for the dotted `path`, creating objects on the way.
function put(obj, path, value) {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[keys[keys.length - 1]] = value;
}

// Dates "YYYY-MM-DD" separated by commas, spaces or new lines; the server checks they exist.
function parseDates(text, field, errors) {
  const out = [];
  for (const part of String(text).split(/[\s,;]+/).filter(Boolean)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(part)) {
      errors.push(t('set.bad_date', { field, value: part }));
      return [];
    }
    out.push(part);
  }
  return out;
}

function parseNumber(text, field, errors, { integer = true } = {}) {
  const value = Number(String(text).replace(',', '.'));
  if (String(text).trim() === '' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    errors.push(t('set.bad_number', { field }));
    return 0;
  }
  return value;
}

// The form: each field adds a reader that writes its value into the settings being built.
class SettingsForm {
  // `directory`: the portal's people, stages and fields (core::PortalDirectory's JSON).
  constructor(settings, directory) {
    this.original = clone(settings);
    this.directory = directory;
    this.people = directory.people || [];
    this.readers = [];
    this.tasks = [];
  }

  input(path, value, { type = 'text', label, read, attrs = {} }) {
    const input = el('input', { class: type === 'checkbox' ? 'cv-check' : 'cv-input', type, name: path, ...attrs });
    if (type === 'checkbox') input.checked = value === true;
    else input.value = value === undefined || value === null ? '' : String(value);
    this.readers.push((out, errors) => put(out, path, read ? read(input, errors) : input.value.trim()));
    return el('label', { class: type === 'checkbox' ? 'cv-field cv-field-inline' : 'cv-field' },
      type === 'checkbox' ? [input, el('span', {}, label)] : [el('span', {}, label), input]);
  }

  norms() {
    const sla = this.original.sla_minutes || {};
    const schedule = this.original.schedule || {};
    const slaFields = SLA_KEYS.map((key) => {
      const input = el('input', { class: 'cv-input', type: 'number', min: 0, step: 1, name: `sla_minutes.${key}` });
      input.value = key in sla ? String(sla[key]) : '';
      this.readers.push((out, errors) => {
        out.sla_minutes = out.sla_minutes || {};
        if (input.value.trim() === '') delete out.sla_minutes[key];
        else out.sla_minutes[key] = parseNumber(input.value, `sla_minutes.${key}`, errors);
      });
      return el('label', { class: 'cv-field' }, el('span', {}, t(`set.sla.${key}`)), input);
    });
    const workdays = new Set(schedule.workdays || []);
    const boxes = DAYS.map((day) => {
      const box = el('input', { type: 'checkbox', name: `schedule.workdays.${day}` });
      box.checked = workdays.has(day);
      return { day, box };
    });
    this.readers.push((out) => put(out, 'schedule.workdays', boxes.filter((b) => b.box.checked).map((b) => b.day)));
    // An IANA zone; the browser offers the names it knows. Settings saved before zones existed
    // have only tz_minutes: left empty, that offset stays; a zone replaces it.
    const zoneList = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const zones = el('datalist', { id: 'cv-time-zones' }, zoneList.map((name) => el('option', { value: name })));
    const zoneInput = el('input', {
      class: 'cv-input', type: 'text', name: 'schedule.time_zone', list: 'cv-time-zones',
      autocomplete: 'off', spellcheck: 'false', placeholder: 'Europe/Moscow',
    });
    zoneInput.value = schedule.time_zone || '';
    this.readers.push((out) => {
      const name = zoneInput.value.trim();
      out.schedule = out.schedule || {};
      if (name === '') {
        delete out.schedule.time_zone;
      } else {
        out.schedule.time_zone = name;
        delete out.schedule.tz_minutes;
      }
    });
    const zoneHint = !schedule.time_zone && Number.isInteger(schedule.tz_minutes)
      ? t('set.schedule.tz_fixed', { minutes: schedule.tz_minutes }) : t('set.schedule.tz_hint');
    const zone = el('label', { class: 'cv-field' }, el('span', {}, t('set.schedule.tz')), zoneInput,
      el('small', { class: 'cv-hint' }, zoneHint));
    return el('div', { class: 'cv-two' },
      el('section', { class: 'cv-card', dataset: { part: 'sla' } },
        el('h2', { class: 'cv-h2' }, t('set.sla')),
        el('p', { class: 'cv-hint' }, t('set.sla.hint')),
        el('div', { class: 'cv-grid' }, slaFields)),
      el('section', { class: 'cv-card', dataset: { part: 'schedule' } },
        el('h2', { class: 'cv-h2' }, t('set.schedule')),
        el('div', { class: 'cv-grid' },
          this.input('schedule.day_start', schedule.day_start, { type: 'time', label: t('set.schedule.start') }),
          this.input('schedule.day_end', schedule.day_end, { type: 'time', label: t('set.schedule.end') }),
          zone, zones),
        this.input('schedule.days_off', (schedule.days_off || []).join(', '), {
          label: t('set.schedule.days_off'), attrs: { placeholder: '2027-01-01, 2027-01-07', spellcheck: 'false' },
          read: (input, errors) => parseDates(input.value, 'schedule.days_off', errors),
        }),
        el('div', { class: 'cv-field' }, el('span', {}, t('set.schedule.workdays')),
          el('div', { class: 'cv-days' }, boxes.map(({ day, box }) =>
            el('label', { class: 'cv-field-inline cv-field' }, box, el('span', {}, t(`day.${day}`))))))));
  }

  taskRow(task, body) {
    const direction = el('select', { class: 'cv-select', name: 'task.direction' },
      DIRECTIONS.map((d) => el('option', { value: d }, t(`dir.${d}`))));
    direction.value = DIRECTIONS.includes(task.direction) ? task.direction : 'sales';
    const input = (name, value, attrs = {}) => {
      const node = el('input', { class: 'cv-input', name: `task.${name}`, ...attrs });
      node.value = value === undefined || value === null ? '' : String(value);
      return node;
    };
    const row = {
      direction,
      stage: this.roleSelect(direction, task.stage || 'assigned'),
      title: input('title', task.title || ''),
      hours: input('hours', task.deadline_working_hours ?? 0, { type: 'number', min: 0, step: 0.5, class: 'cv-input cv-input-num' }),
      days: input('days', task.deadline_working_days ?? 0, { type: 'number', min: 0, step: 1, class: 'cv-input cv-input-num' }),
      responsible: this.responsibleSelect(task.responsible || 'assignee'),
    };
    const tr = el('tr', {},
      [row.direction, row.stage, row.title, row.hours, row.days, row.responsible].map((cell) => el('td', {}, cell)),
      el('td', {}, el('button', {
        type: 'button', class: 'cv-btn cv-btn-small',
        onclick: () => {
          this.tasks = this.tasks.filter((r) => r !== row);
          tr.remove();
        },
      }, t('set.t.remove'))));
    row.tr = tr;
    this.tasks.push(row);
    body.append(tr);
  }

  // A task's stage, by the name of its role in the direction chosen beside it.
  roleSelect(direction, value) {
    const node = el('select', { class: 'cv-select', name: 'task.stage' });
    const fill = (current) => {
      const roles = TASK_ROLES[direction.value] || [];
      node.replaceChildren(...roles.map((role) => el('option', { value: role }, t(`set.role.${role}`))));
      if (current && !roles.includes(current)) node.append(el('option', { value: current }, current));
      node.value = roles.includes(current) || current ? current : roles[0];
    };
    direction.addEventListener('change', () => fill(node.value));
    fill(value);
    return node;
  }

  // Who gets a task: the item's assignee, or an employee picked by name.
  responsibleSelect(value) {
    const node = el('select', { class: 'cv-select', name: 'task.responsible' },
      el('option', { value: 'assignee' }, t('set.t.assignee')),
      this.people.map((p) => el('option', { value: String(p.id) }, p.name)));
    if (!Array.from(node.options).some((o) => o.value === String(value))) {
      node.append(el('option', { value: String(value) }, `#${value}`));
    }
    node.value = String(value);
    return node;
  }

  taskTable() {
    const body = el('tbody');
    for (const task of this.original.tasks || []) this.taskRow(task, body);
    this.readers.push((out, errors) => {
      out.tasks = this.tasks.map((row, i) => ({
        direction: row.direction.value,
        stage: row.stage.value.trim(),
        title: row.title.value,
        deadline_working_hours: parseNumber(row.hours.value, `tasks[${i}].deadline_working_hours`, errors, { integer: false }),
        deadline_working_days: parseNumber(row.days.value, `tasks[${i}].deadline_working_days`, errors),
        responsible: row.responsible.value.trim() || 'assignee',
      }));
    });
    const head = ['set.t.direction', 'set.t.stage', 'set.t.title', 'set.t.hours', 'set.t.days', 'set.t.responsible', '']
      .map((key) => el('th', {}, key ? t(key) : ''));
    return el('section', { class: 'cv-card', dataset: { part: 'tasks' } },
      el('h2', { class: 'cv-h2' }, t('set.tasks')),
      el('p', { class: 'cv-hint' }, t('set.tasks.hint')),
      el('div', { class: 'cv-table-wrap' }, el('table', { class: 'cv-table cv-tasks' }, el('thead', {}, el('tr', {}, head)), body)),
      el('button', {
        type: 'button', class: 'cv-btn cv-btn-small',
        onclick: () => {
          this.taskRow({ direction: 'sales', stage: 'assigned', title: '', deadline_working_hours: 4, deadline_working_days: 0, responsible: 'assignee' }, body);
          fitWindow();
        },
      }, `+ ${t('set.t.add')}`));
  }

  // A select of `fields` ({code, label}) with `value` kept visible when the portal lacks it.
  fieldSelect(name, fields, value, empty) {
    const node = el('select', { class: 'cv-select', name },
      empty ? el('option', { value: '' }, empty) : null,
      fields.map((f) => el('option', { value: f.code }, f.label === f.code ? f.code : `${f.label}`)));
    if (value && !fields.some((f) => f.code === value)) node.append(el('option', { value }, value));
    node.value = value || '';
    return node;
  }

  // What a hand-over copies from the lead to the deal, and where the "ready another day" date is.
  fields() {
    const leadFields = (this.directory.lead_fields || []).filter((f) => !f.read_only);
    const dealFields = (this.directory.deal_fields || []).filter((f) => !f.read_only);
    const readyDate = this.fieldSelect('ready_date_field', leadFields.filter((f) => DATE_TYPES.has(f.type)),
      this.original.ready_date_field || '');
    this.readers.push((out) => { out.ready_date_field = readyDate.value; });
    const body = el('tbody');
    const rows = [];
    const addRow = (from, to) => {
      const row = {
        from: this.fieldSelect('field_mapping.from', leadFields, from, t('set.f.pick')),
        to: this.fieldSelect('field_mapping.to', dealFields, to, t('set.f.pick')),
      };
      row.tr = el('tr', {}, el('td', {}, row.from), el('td', {}, '→'), el('td', {}, row.to),
        el('td', {}, el('button', {
          type: 'button', class: 'cv-btn cv-btn-small',
          onclick: () => { rows.splice(rows.indexOf(row), 1); row.tr.remove(); fitWindow(); },
        }, t('set.t.remove'))));
      rows.push(row);
      body.append(row.tr);
    };
    for (const [from, to] of Object.entries(this.original.field_mapping || {})) addRow(from, to);
    this.readers.push((out, errors) => {
      out.field_mapping = {};
      for (const row of rows) {
        if (!row.from.value || !row.to.value) errors.push(t('set.f.incomplete'));
        else out.field_mapping[row.from.value] = row.to.value;
      }
    });
    return el('section', { class: 'cv-card', dataset: { part: 'fields' } },
      el('h2', { class: 'cv-h2' }, t('set.f.title')),
      el('label', { class: 'cv-field' }, el('span', {}, t('set.f.ready_date')), readyDate),
      el('p', { class: 'cv-hint' }, t('set.f.mapping_hint')),
      el('div', { class: 'cv-table-wrap' }, el('table', { class: 'cv-table', dataset: { mapping: '1' } }, body)),
      el('button', { type: 'button', class: 'cv-btn cv-btn-small', onclick: () => { addRow('', ''); fitWindow(); } }, `+ ${t('set.f.add')}`));
  }

  // Who sees the reports besides admins, and how long an item may stay in each stage.
  reports() {
    const reports = this.original.reports || {};
    const viewers = picker('reports.viewers', this.people, new Set(reports.viewers || []), { search: true, label: t('set.r.viewers') });
    const norms = reports.stage_norm_hours || {};
    const inputs = [];
    const strip = (id) => id.replace(/^C\d+:/, '');
    const pipeline = (name) => (this.directory.pipelines || []).find((p) => p.name === name);
    const groups = [
      ['lead', this.directory.lead_stages || []],
      ['sales', (pipeline((this.original.sales || {}).pipeline) || {}).stages || []],
      ['production', (pipeline((this.original.production || {}).pipeline) || {}).stages || []],
    ];
    const tables = groups.map(([direction, stages]) => {
      const open = stages.filter((st) => st.semantic === 'P');
      return el('div', { class: 'cv-queue' }, el('h3', { class: 'cv-h3' }, t(`dir.${direction}`)),
        open.map((stage) => {
          const key = `${direction}.${strip(stage.id)}`;
          const input = el('input', { class: 'cv-input cv-input-num', type: 'number', min: 0, step: 1, name: `reports.stage_norm_hours.${key}` });
          input.value = key in norms ? String(norms[key]) : '';
          inputs.push({ key, input });
          return el('label', { class: 'cv-field' }, el('span', {}, stage.name), input);
        }));
    });
    this.readers.push((out, errors) => {
      out.reports = out.reports || {};
      out.reports.viewers = viewers.read();
      // Norms of stages this page does not show (another pipeline's) stay as they were.
      const kept = { ...(out.reports.stage_norm_hours || {}) };
      for (const { key, input } of inputs) {
        delete kept[key];
        if (input.value.trim() === '') continue;
        const hours = Number(input.value);
        if (!Number.isInteger(hours) || hours < 0) errors.push(t('set.bad_number', { field: key }));
        else kept[key] = hours;
      }
      out.reports.stage_norm_hours = kept;
    });
    return el('section', { class: 'cv-card', dataset: { part: 'reports' } },
      el('h2', { class: 'cv-h2' }, t('set.r.title')),
      viewers.node,
      el('p', { class: 'cv-hint' }, t('set.r.norms_hint')),
      el('div', { class: 'cv-queues' }, tables));
  }

  advanced() {
    const rest = {};
    for (const key of ADVANCED) if (key in this.original) rest[key] = this.original[key];
    const area = el('textarea', { class: 'cv-textarea', name: 'advanced', spellcheck: 'false' });
    area.value = JSON.stringify(rest, null, 2);
    this.readers.push((out, errors) => {
      let parsed;
      try {
        parsed = JSON.parse(area.value || '{}');
      } catch (error) {
        errors.push(t('set.bad_json', { message: error.message }));
        return;
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        errors.push(t('set.bad_json', { message: '{…}' }));
        return;
      }
      for (const key of ADVANCED) delete out[key];
      Object.assign(out, parsed);
    });
    return el('details', { class: 'cv-card', dataset: { part: 'advanced' } },
      el('summary', { class: 'cv-h2' }, t('set.advanced')),
      el('p', { class: 'cv-hint' }, t('set.advanced.hint')),
      area);
  }

  // The settings as the form has them, or the list of what is wrong.
  collect() {
    const out = clone(this.original);
    const errors = [];
    for (const read of this.readers) read(out, errors);
    return { settings: out, errors };
  }
}

function changesView(changes) {
  if (!changes.length) return el('p', { class: 'cv-muted', dataset: { changes: '0' } }, t('set.preview.none'));
  const show = (v) => (v === undefined ? t('common.none') : JSON.stringify(v));
  return el('div', { class: 'cv-changes', dataset: { changes: String(changes.length) } },
    el('h3', { class: 'cv-h3' }, t('set.preview.title')),
    table([t('set.preview.path'), t('set.preview.before'), t('set.preview.after')],
      changes.map((c) => [el('code', {}, String(c.path)), el('code', {}, show(c.before)), el('code', {}, show(c.after))])));
}

function refusal(error) {
  if (error.code === 'admin_required') return t('error.admin_required');
  if (error.code === 'version_conflict') return t('error.version_conflict');
  if (error.code === 'invalid_settings') return t('error.invalid_settings', { message: error.message });
  return errorText(error);
}

// `directory()` resolves to the portal's directory (people, stages, fields), or null when it
// could not be read: then the pickers offer only what the settings name.
export function initSettings(section, { directory = async () => null } = {}) {
  let version = 0;
  let form = null;
  const result = el('div', { class: 'cv-result', id: 'cv-settings-result', 'aria-live': 'polite' });

  const say = (kind, ...content) => {
    result.replaceChildren(el('div', { class: `cv-banner cv-banner-${kind}` }, ...content));
    fitWindow();
  };

  async function preview() {
    const { settings, errors } = form.collect();
    if (errors.length) return say('error', errors.join(' '));
    try {
      const answer = await api('settings/preview', { method: 'POST', body: settings });
      if (answer && answer.valid === false) return say('error', t('error.invalid_settings', { message: answer.error || '' }));
      result.replaceChildren(changesView(Array.isArray(answer && answer.changes) ? answer.changes : []));
      fitWindow();
    } catch (error) {
      say('error', refusal(error));
    }
    return undefined;
  }

  async function save() {
    if (!boot.user.admin) return say('error', t('error.admin_required'));
    const { settings, errors } = form.collect();
    if (errors.length) return say('error', errors.join(' '));
    try {
      const answer = await api('settings', { method: 'PUT', body: settings, headers: { 'If-Match': String(version) } });
      await load();
      say('ok', t('set.saved', { version: answer && answer.version !== undefined ? answer.version : version }));
    } catch (error) {
      say('error', refusal(error));
    }
    return undefined;
  }

  async function load() {
    section.replaceChildren(loading());
    try {
      const [answer, portal] = await Promise.all([api('settings'), directory()]);
      version = Number(answer && answer.version) || 0;
      form = new SettingsForm((answer && answer.settings) || {}, portal || {});
      const saveButton = el('button', { type: 'button', class: 'cv-btn cv-btn-success', id: 'cv-save', onclick: save }, t('set.save'));
      if (!boot.user.admin) saveButton.disabled = true;
      section.replaceChildren(...[
        el('p', { class: 'cv-muted cv-small', id: 'cv-settings-version', dataset: { version: String(version) } }, t('set.version', { version })),
        boot.user.admin ? null : el('div', { class: 'cv-banner cv-banner-info', id: 'cv-readonly' }, t('set.readonly')),
        form.norms(),
        form.taskTable(),
        form.fields(),
        form.reports(),
        form.advanced(),
        el('div', { class: 'cv-savebar' },
          el('div', { class: 'cv-actions' },
            el('button', { type: 'button', class: 'cv-btn cv-btn-primary', id: 'cv-preview', onclick: preview }, t('set.preview')),
            saveButton,
            boot.user.admin ? null : el('span', { class: 'cv-note' }, t('error.admin_required')),
            el('button', { type: 'button', class: 'cv-btn', onclick: () => load().then(() => result.replaceChildren()) }, t('set.reload'))),
          result),
      ].filter(Boolean));
    } catch (error) {
      section.replaceChildren(el('div', { class: 'cv-state cv-state-error' }, errorText(error),
        el('button', { class: 'cv-btn', type: 'button', onclick: load }, t('common.retry'))));
    }
    fitWindow();
  }

  load();
  return { reload: load };
}
