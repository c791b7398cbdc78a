// What every Conveyor page shares: the boot data the server put into the page, the language,
// the API client (session header, JSON errors), DOM building that only ever inserts text,
// formatting, and the BX24 calls (open a card, fit the frame).
import { DICT } from './i18n.js';

// The boot JSON of <script id="conveyor-boot">; `ok` is false when the page was not served
// by the app (placeholders left, or no session).
function readBoot() {
  const node = document.getElementById('conveyor-boot');
  let data = null;
  try {
    data = JSON.parse(node ? node.textContent : '');
  } catch {
    data = null;
  }
  if (!data || typeof data !== 'object' || typeof data.session !== 'string' || !data.session) {
    return { ok: false, lang: 'ru', user: { id: 0, admin: false, wide: false } };
  }
  const lang = data.lang === 'en' ? 'en' : 'ru';
  const user = data.user && typeof data.user === 'object' ? data.user : {};
  return {
    ...data,
    ok: true,
    lang,
    entity_id: Number(data.entity_id) || 0,
    // wide: sees the analytics and the settings (an admin, or a viewer the settings name).
    user: { id: Number(user.id) || 0, admin: user.admin === true, wide: user.wide === true },
  };
}

export const boot = readBoot();
document.documentElement.lang = boot.lang;

// The UI string `key` in the page's language with `{name}` filled from `params`.
export function t(key, params = {}) {
  const table = DICT[boot.lang] || DICT.ru;
  const text = table[key] ?? DICT.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
}

// The string for `key`, or `fallback` when the dictionary has none (names from the server).
export function tOr(key, fallback) {
  const table = DICT[boot.lang] || DICT.ru;
  return table[key] ?? DICT.ru[key] ?? String(fallback);
}

// Elements with data-i18n get their text in the page's language.
export function translate(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-title]')) node.title = t(node.dataset.i18nTitle);
}

// --- DOM: text only, never HTML -------------------------------------------------------------

// el('a', {class: 'x', href: url, onclick: fn}, 'text', child…): properties starting with `on`
// become listeners, `class` the class name, `dataset` an object; other attributes are set as
// attributes. Strings and numbers become text nodes; null/false children are skipped.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) {
      if (typeof value === 'function') node.addEventListener(key.slice(2), value);
    } else if (key === 'text') node.textContent = value;
    else if (value === true) node.setAttribute(key, '');
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A table: `head` the column titles, `rows` arrays of cells (text or nodes); `numeric` the
// indexes of right-aligned columns.
export function table(head, rows, { numeric = [], className = '' } = {}) {
  const cell = (tag, content, i) =>
    el(tag, { class: numeric.includes(i) ? 'cv-num' : null }, content);
  return el('div', { class: 'cv-table-wrap' },
    el('table', { class: `cv-table ${className}`.trim() },
      el('thead', {}, el('tr', {}, head.map((h, i) => cell('th', h, i)))),
      el('tbody', {}, rows.map((row) => el('tr', {}, row.map((c, i) => cell('td', c, i)))))));
}

// --- The API ------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

// `path` is relative to /api/portals/{member_id}/. Answers the parsed JSON (or the raw
// Response when `raw`), throws ApiError with the server's error code otherwise.
export async function api(path, { method = 'GET', body, headers = {}, raw = false } = {}) {
  const init = {
    method,
    headers: { Authorization: `Session ${boot.session}`, ...headers },
    cache: 'no-store',
    credentials: 'same-origin',
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(`/api/portals/${encodeURIComponent(boot.member_id || '')}/${path}`, init);
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (response.ok && raw) return response;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const code = (data && data.error) || `http_${response.status}`;
    const message = (data && (data.message || data.error_description)) || response.statusText;
    const error = new ApiError(response.status, code, message);
    if (response.status === 401) sessionExpired();
    throw error;
  }
  return data;
}

// Query string of the non-empty values.
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// The page-wide banner: one message, replaced by the next.
export function banner(message, kind = 'error') {
  const node = document.getElementById('cv-banner');
  if (!node) return;
  node.className = `cv-banner cv-banner-${kind}`;
  node.textContent = message;
  node.hidden = !message;
}

function sessionExpired() {
  banner(t('error.session'));
}

// A short readable message for a failed call.
export function errorText(error) {
  if (error instanceof ApiError) {
    if (error.status === 401) return t('error.session');
    if (error.code === 'network') return t('error.network');
    if (error.code === 'access_required') return t('error.access_required');
    return t('error.generic', { message: error.message || error.code });
  }
  return t('error.generic', { message: String(error && error.message ? error.message : error) });
}

// --- Formatting ---------------------------------------------------------------------------

const locale = boot.lang === 'en' ? 'en-GB' : 'ru-RU';

export function fmtDate(unix, { time = true } = {}) {
  if (!Number.isFinite(unix) || unix <= 0) return t('common.none');
  const options = { day: '2-digit', month: '2-digit', year: 'numeric' };
  if (time) Object.assign(options, { hour: '2-digit', minute: '2-digit' });
  return new Date(unix * 1000).toLocaleString(locale, options);
}

// "2 д 3 ч", "45 мин", "20 с"; two units at most.
export function fmtDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return t('common.none');
  const units = boot.lang === 'en'
    ? [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]]
    : [['д', 86400], ['ч', 3600], ['мин', 60], ['с', 1]];
  let rest = Math.round(seconds);
  const parts = [];
  for (const [name, size] of units) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      parts.push(`${n} ${name}`);
      if (parts.length === 2) break;
    } else if (parts.length) {
      break;
    }
  }
  return parts.join(' ');
}

export function fmtNumber(value, digits = 0) {
  if (!Number.isFinite(value)) return t('common.none');
  return value.toLocaleString(locale, { maximumFractionDigits: digits });
}

export function fmtMoney(value, currency) {
  if (!Number.isFinite(value)) return t('common.none');
  try {
    return value.toLocaleString(locale, {
      style: 'currency', currency: currency || 'RUB', maximumFractionDigits: 0,
    });
  } catch {
    return `${fmtNumber(value)} ${currency || ''}`.trim();
  }
}

export function fmtPercent(fraction) {
  if (!Number.isFinite(fraction)) return t('common.none');
  return `${(fraction * 100).toLocaleString(locale, { maximumFractionDigits: 1 })}%`;
}

export function num(value) {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

// --- Bitrix24 -----------------------------------------------------------------------------

function bx24() {
  return typeof window.BX24 === 'object' && window.BX24 !== null ? window.BX24 : null;
}

// Calls `fn(BX24)` once the library is ready; nothing without it.
function withBx24(fn) {
  const lib = bx24();
  if (!lib) return;
  try {
    if (typeof lib.init === 'function') lib.init(() => fn(lib));
    else fn(lib);
  } catch {
    // The frame keeps working without the portal's help.
  }
}

// Lets the portal size the frame to the page.
export function fitWindow() {
  withBx24((lib) => {
    if (typeof lib.fitWindow === 'function') lib.fitWindow();
  });
}

// A <details> opened or closed changes the page's height: the frame follows.
document.addEventListener('toggle', () => fitWindow(), true);

// A link to a lead's or deal's card on the portal: a plain link that leaves the frame, or
// BX24.openPath (the portal's slider) when the library is there.
export function cardLink(entityType, entityId, content, className = 'cv-link') {
  const type = entityType === 'lead' ? 'lead' : 'deal';
  const id = Math.trunc(num(entityId));
  const path = `/crm/${type}/details/${id}/`;
  const base = safeBase(boot.portal_url);
  const link = el('a', { class: className, href: base + path, target: '_top', dataset: { path } }, content);
  link.addEventListener('click', (event) => {
    const lib = bx24();
    if (!lib || typeof lib.openPath !== 'function') return;
    event.preventDefault();
    try {
      lib.openPath(path);
    } catch {
      window.top.location.href = link.href;
    }
  });
  return link;
}

// The portal's address when it is a plain http(s) URL, else "" (a relative link).
function safeBase(url) {
  if (typeof url !== 'string') return '';
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return '';
    return parsed.origin + parsed.pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

// The page cannot work without its boot data: say so instead of failing quietly.
export function requireBoot(root) {
  if (boot.ok) return true;
  root.replaceChildren(el('div', { class: 'cv-state cv-state-error' }, t('error.boot')));
  return false;
}

export function loading() {
  return el('div', { class: 'cv-state cv-loading' }, el('span', { class: 'cv-spinner' }), t('common.loading'));
}
