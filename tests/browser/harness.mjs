// The world of a browser test: b24-emulator and the conveyor on loopback ports they pick
// themselves, a small company (a call center, sales and production; departments, people,
// working days opened), the app installed through the emulator's install route (so events and
// placements are bound), the queues pointed at the departments (unless the test sets them up
// itself), and Debian's Chromium driven by playwright-core. Everything started here is stopped by World.stop().
//
// Environment (run.sh sets it): EMULATOR_BIN, CONVEYOR_BIN, CONVEYOR_ARTEFACTS, CHROMIUM_BIN.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const MEMBER = 'browserportal000000000000000001';
const CLIENT_ID = 'local.conveyor';
const CLIENT_SECRET = 'browser-test-secret';
const HOOK = 'browsertest';
const API_TOKEN = `browser-ops-${process.pid}-0123456789`;

export const artefacts = process.env.CONVEYOR_ARTEFACTS || path.resolve('artefacts');

// Polls `check` (sync or async) until it returns a truthy value; that value, or throws after
// `seconds` with `what`.
export async function eventually(what, check, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await sleep(200);
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

class Child {
  constructor(name, bin, args, env, dir) {
    this.name = name;
    this.log = path.join(dir, `${name}.log`);
    const out = fs.openSync(this.log, 'w');
    this.process = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.exited = false;
    this.process.on('exit', () => { this.exited = true; });
  }

  output() {
    try {
      return fs.readFileSync(this.log, 'utf8');
    } catch {
      return '';
    }
  }

  async stop() {
    if (this.exited) return;
    this.process.kill('SIGTERM');
    for (let i = 0; i < 50 && !this.exited; i += 1) await sleep(100);
    if (!this.exited) this.process.kill('SIGKILL');
  }
}

async function portOf(child, file, key) {
  return eventually(`${child.name} to write ${file}`, () => {
    if (child.exited) throw new Error(`${child.name} exited:\n${child.output()}`);
    const data = readJson(file);
    return data && Number.isInteger(data[key]) && data[key] > 0 ? data[key] : null;
  }, 20);
}

// A JSON call; answers {status, body, text, headers}.
export async function call(url, { method = 'GET', body, headers = {}, form } = {}) {
  const init = { method, headers: { ...headers } };
  if (form !== undefined) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

export class World {
  // `departments`: the departments' names by role (by default the roles' own names, which the
  // installer maps); `configure: false` leaves the queues as the install left them.
  static async start(name, { departments = {}, configure = true } = {}) {
    const world = new World(name);
    try {
      await world.boot({ departments, configure });
    } catch (error) {
      await world.stop();
      throw new Error(`${error.message}\n--- emulator ---\n${world.emulator?.output() ?? ''}\n--- conveyor ---\n${world.conveyor?.output() ?? ''}`);
    }
    return world;
  }

  constructor(name) {
    this.name = name;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `conveyor-browser-${name}-`));
    this.people = {};
    this.departments = {};
    this.contexts = [];
  }

  async boot({ departments, configure }) {
    const emulatorBin = process.env.EMULATOR_BIN;
    const conveyorBin = process.env.CONVEYOR_BIN;
    if (!emulatorBin || !conveyorBin) throw new Error('EMULATOR_BIN and CONVEYOR_BIN must be set (run.sh does)');
    this.emulator = new Child('emulator', emulatorBin, [
      '--port', '0', '--webhook', `1:${HOOK}`, '--member-id', MEMBER,
      '--client-id', CLIENT_ID, '--client-secret', CLIENT_SECRET,
      '--port-file', path.join(this.dir, 'emulator.json'),
    ], {}, this.dir);
    this.emu = `http://127.0.0.1:${await portOf(this.emulator, path.join(this.dir, 'emulator.json'), 'http')}`;
    this.conveyor = new Child('conveyor', conveyorBin, [
      'serve', '--listen', '127.0.0.1:0', '--port-file', path.join(this.dir, 'conveyor.json'),
    ], {
      CONVEYOR_CLIENT_ID: CLIENT_ID,
      CONVEYOR_CLIENT_SECRET: CLIENT_SECRET,
      CONVEYOR_OAUTH_URL: `${this.emu}/oauth/token/`,
      CONVEYOR_DEV: '1',
      CONVEYOR_DB: path.join(this.dir, 'conveyor.db'),
      CONVEYOR_LOG_LEVEL: 'warn',
      CONVEYOR_SWEEP_SECONDS: '0',
      CONVEYOR_API_TOKEN: API_TOKEN,
      CONVEYOR_BX24_URL: `${this.emu}/_emulator/bx24.js`,
    }, this.dir);
    this.app = `http://127.0.0.1:${await portOf(this.conveyor, path.join(this.dir, 'conveyor.json'), 'port')}`;

    // The test's own polling of the portal must not eat the app's request budget.
    const limits = await this.control('limits', { bucket: 100000 });
    if (limits.status !== 200) throw new Error(`limits: ${limits.text}`);
    // The company: who is at work decides who gets what.
    this.departments.hunters = await this.department(departments.hunters || 'Колл-центр');
    this.departments.closers = await this.department(departments.closers || 'Продажи');
    this.departments.production = await this.department(departments.production || 'Производство');
    this.people.anna = await this.hire('Анна', 'Иванова', 'hunters', 'OPENED');
    this.people.dmitry = await this.hire('Дмитрий', 'Кузнецов', 'closers', 'OPENED');
    this.people.zhanna = await this.hire('Жанна', 'Орлова', 'closers', 'CLOSED');
    this.people.zinovy = await this.hire('Зиновий', 'Морозов', 'production', 'OPENED');

    const installed = await this.control('apps/install', {
      application_url: `${this.app}/app`,
      installer_url: `${this.app}/install`,
      install_event_url: `${this.app}/b24/install`,
    });
    if (installed.status !== 200 || !installed.body || installed.body.installed !== true) {
      throw new Error(`installation failed: ${installed.status} ${installed.text}`);
    }
    if (!configure) return;
    const configured = await this.ops('PATCH', 'settings', {
      queues: {
        hunters: { departments: [this.departments.hunters] },
        closers: { departments: [this.departments.closers] },
        production: { departments: [this.departments.production] },
      },
    });
    if (configured.status !== 200) throw new Error(`queues not configured: ${configured.status} ${configured.text}`);
  }

  async stop() {
    for (const context of this.contexts.splice(0)) {
      await context.close().catch(() => {});
    }
    if (this.conveyor) await this.conveyor.stop();
    if (this.emulator) await this.emulator.stop();
    // The servers' logs stay beside the screenshots, for a failure to be read after the run.
    for (const child of [this.conveyor, this.emulator]) {
      if (child) fs.copyFileSync(child.log, screenshotPath(`${this.name}-${child.name}.log`));
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // --- The portal -------------------------------------------------------------------------

  control(route, body) {
    return call(`${this.emu}/_emulator/${route}`, { method: 'POST', body });
  }

  async state(section) {
    const answer = await call(`${this.emu}/_emulator/state?section=${section}`);
    return answer.body;
  }

  // A REST method through the admin's incoming webhook.
  async hook(method, params = {}) {
    const answer = await call(`${this.emu}/rest/1/${HOOK}/${method}.json`, { method: 'POST', body: params });
    if (answer.status !== 200) throw new Error(`${method}: ${answer.status} ${answer.text}`);
    return answer.body.result;
  }

  // A REST method as a user of the portal would call it from the interface (events follow).
  async act(userId, method, params) {
    const answer = await this.control('act', { as: 'user', user_id: userId, method, params });
    if (answer.status !== 200) throw new Error(`${method} as ${userId}: ${answer.status} ${answer.text}`);
    return answer.body.result;
  }

  async department(name) {
    const answer = await this.control('departments', { NAME: name });
    if (answer.status !== 200) throw new Error(`department ${name}: ${answer.text}`);
    return Number(answer.body.ID);
  }

  async hire(first, last, department, status) {
    const answer = await this.control('users', { NAME: first, LAST_NAME: last, UF_DEPARTMENT: [this.departments[department]] });
    if (answer.status !== 200) throw new Error(`user ${first}: ${answer.text}`);
    const id = Number(answer.body.ID);
    const presence = await this.control('presence', { user_id: id, status });
    if (presence.status !== 200) throw new Error(`presence of ${first}: ${presence.text}`);
    return { id, name: `${first} ${last}` };
  }

  lead(id) {
    return this.hook('crm.lead.get', { id });
  }

  deal(id) {
    return this.hook('crm.deal.get', { id });
  }

  // A new enquiry, as the call center's site form would add it; waits until the conveyor has
  // given it to a hunter. Returns the lead as the portal has it.
  async newLead(title, phone) {
    const id = Number(await this.act(1, 'crm.lead.add', {
      fields: { TITLE: title, SOURCE_ID: 'CALL', PHONE: [{ VALUE: phone, VALUE_TYPE: 'WORK' }] },
    }));
    return eventually(`lead ${id} to reach a hunter`, async () => {
      const lead = await this.lead(id);
      return lead.STATUS_ID === 'CONV_ASSIGNED' && Number(lead.ASSIGNED_BY_ID) > 1 ? lead : null;
    });
  }

  // The hunter marks the lead «Готов СЕЙЧАС»; waits for the sales deal the conveyor makes.
  async readyNow(lead, amount = 150000) {
    // At once, on purpose: a change in the same second as the conveyor's own write gives an
    // event with the echo's key, which must still be read (handlers/events.cpp).
    await this.act(Number(lead.ASSIGNED_BY_ID), 'crm.lead.update', {
      id: Number(lead.ID), fields: { STATUS_ID: 'CONV_READY_NOW', OPPORTUNITY: amount, CURRENCY_ID: 'RUB' },
    });
    return eventually(`the sales deal of lead ${lead.ID}`, async () => {
      const deals = await this.hook('crm.deal.list', { filter: { LEAD_ID: Number(lead.ID) }, select: ['*'] });
      return deals.length === 1 ? deals[0] : null;
    });
  }

  // --- The conveyor -----------------------------------------------------------------------

  // The operations API with the operator's token (not what pages use).
  ops(method, route, body) {
    return call(`${this.app}/api/portals/${MEMBER}/${route}`, {
      method, body, headers: { Authorization: `Bearer ${API_TOKEN}` },
    });
  }

  // --- The browser --------------------------------------------------------------------------

  async browser() {
    const profile = fs.mkdtempSync(path.join(this.dir, 'chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
      headless: true,
      locale: 'ru-RU',
      timezoneId: 'Europe/Moscow',
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    });
    this.contexts.push(context);
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(20000);
    // What went wrong in the pages: script errors, console errors (a CSP refusal is one) and
    // any of the app's assets that did not load. A failed API call is the test's to judge, and
    // the browser's own "Failed to load resource" lines only repeat those (or the portal's
    // favicon).
    page.problems = [];
    const note = (where, text) => page.problems.push(`${where}: ${text}`);
    page.on('pageerror', (error) => note('pageerror', error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) {
        note('console', `${message.text()} ${message.location().url || ''}`.trim());
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && new URL(response.url()).pathname.startsWith('/assets/')) {
        note('asset', `${response.status()} ${response.url()}`);
      }
    });
    return page;
  }

  // The portal's frame page of a placement: the app's page inside it (POSTed by a form).
  frameUrl({ placement, id, user = 1, lang = 'ru' }) {
    const query = new URLSearchParams({ portal: MEMBER, placement, user_id: String(user), lang });
    if (id) query.set('id', String(id));
    return `${this.emu}/_emulator/placements/frame?${query}`;
  }

  // Opens a placement and answers the app's frame once the page in it has booted.
  async open(page, options, ready) {
    await page.goto(this.frameUrl(options));
    const frame = page.frameLocator('#app-frame');
    await frame.locator(ready).first().waitFor();
    return frame;
  }
}

export function screenshotPath(name) {
  fs.mkdirSync(artefacts, { recursive: true });
  return path.join(artefacts, name);
}

// Lets fitWindow settle (two resize round trips) before a picture is taken.
export async function settle(page) {
  await page.waitForTimeout(300);
}
