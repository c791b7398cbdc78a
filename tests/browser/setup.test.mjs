// Setting the conveyor up from nothing (issue 16, item 1): a portal whose departments are not
// named after the roles gets no queues at install. The app page opens on the set-up tab and
// says what is missing; the admin picks departments and a person by name, and a stage from the
// portal's own, saves, and the next lead is handed out. Then a person is marked away from the
// page, and a head of a department marks one of their people away too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { World, eventually, screenshotPath, settle } from './harness.mjs';

let world;

before(async () => {
  world = await World.start('setup', {
    departments: { hunters: 'Группа звонков', closers: 'Менеджеры', production: 'Цех' },
    configure: false,
  });
}, { timeout: 90000 });

after(async () => {
  if (world) await world.stop();
});

test('an admin sets the conveyor up from nothing by picking names, and the next lead is handed out', { timeout: 90000 }, async () => {
  const before = await world.ops('GET', 'settings');
  assert.deepEqual(before.body.settings.queues.hunters.departments, [], 'nothing was mapped at install');

  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT' }, '#cv-setup-missing');
  assert.equal(await frame.locator('[data-tab="setup"]').getAttribute('aria-selected'), 'true');
  const missing = await frame.locator('#cv-setup-missing li[data-code="queue_empty"]').allInnerTexts();
  assert.equal(missing.length, 3, missing.join('\n'));
  assert.match(missing[0], /Колл-центр|Охотники|hunters/i);
  await settle(page);
  await page.screenshot({ path: screenshotPath('setup-missing.png'), fullPage: true });

  // Departments by name; a person found by searching; a stage by its name. No ID is typed.
  const hunters = frame.locator('section[data-queue="hunters"]');
  await hunters.locator('[data-picker="queues.hunters.departments"] label', { hasText: 'Группа звонков' }).locator('input').check();
  const closers = frame.locator('section[data-queue="closers"]');
  await closers.locator('[data-search="queues.closers.users"]').fill('дмит');
  const dmitry = closers.locator('[data-picker="queues.closers.users"] label', { hasText: 'Дмитрий Кузнецов' });
  assert.equal(await closers.locator('[data-picker="queues.closers.users"] label:visible').count(), 1, 'the search narrows the list');
  await dmitry.locator('input').check();
  const production = frame.locator('section[data-queue="production"]');
  await production.locator('[data-picker="queues.production.departments"] label', { hasText: 'Цех' }).locator('input').check();
  await frame.locator('select[name="production.meeting"]').selectOption({ label: 'Запланировано' });

  await frame.locator('#cv-setup-save').click();
  await frame.locator('#cv-setup-ready').waitFor();
  const saved = await world.ops('GET', 'settings');
  const queues = saved.body.settings.queues;
  assert.deepEqual(queues.hunters.departments, [world.departments.hunters]);
  assert.deepEqual(queues.closers.users, [world.people.dmitry.id]);
  assert.deepEqual(queues.production.departments, [world.departments.production]);
  assert.equal(saved.body.settings.production.meeting, 'PLANNED');

  // Each queue says how it stands now.
  assert.match(await frame.locator('[data-state="hunters"]').innerText(), /1 чел\., 1 на работе сейчас/);
  assert.match(await frame.locator('[data-state="closers"]').innerText(), /1 чел\., 1 на работе сейчас/);
  await settle(page);
  await page.screenshot({ path: screenshotPath('setup-done.png'), fullPage: true });

  const lead = await world.newLead('Окна в дом', '+7 900 100-00-01');
  assert.equal(Number(lead.ASSIGNED_BY_ID), world.people.anna.id);
  assert.deepEqual(page.problems, []);
});

test('an admin marks a person away until a date from the page; the queue says so and skips them', { timeout: 90000 }, async () => {
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT' }, 'body[data-ready]');
  await frame.locator('[data-tab="setup"]').click();
  const row = frame.locator(`section[data-queue="closers"] tr[data-member="${world.people.dmitry.id}"]`);
  await row.waitFor();
  const until = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
  await row.locator(`input[name="away.${world.people.dmitry.id}"]`).fill(until);
  await row.locator(`[data-away="${world.people.dmitry.id}"]`).click();
  await frame.locator('#cv-setup-result .cv-banner-ok').waitFor();
  assert.match(await frame.locator('[data-state="closers"]').innerText(), /0 на работе сейчас, отсутствует до/);
  const saved = await world.ops('GET', 'settings');
  assert.equal(saved.body.settings.away[String(world.people.dmitry.id)], until);

  // The next ready client waits: the only closer is away, and the journal says so.
  const lead = await world.newLead('Двери', '+7 900 100-00-02');
  const deal = await world.readyNow(lead);
  assert.equal(deal.STAGE_ID.replace(/^C\d+:/, ''), 'NEW');
  const journal = await eventually('the waiting decision', async () => {
    const answer = await world.ops('GET', `decisions?entity_type=lead&entity_id=${lead.ID}`);
    return (answer.body?.decisions || []).find((d) => d.kind === 'waiting');
  });
  const verdict = journal.reasons.candidates.find((c) => c.user_id === world.people.dmitry.id);
  assert.equal(verdict.presence_source, 'marked_away', JSON.stringify(verdict));

  // Back at work.
  await frame.locator(`[data-back="${world.people.dmitry.id}"]`).click();
  await eventually('the mark to go', async () => {
    const answer = await world.ops('GET', 'settings');
    return !(String(world.people.dmitry.id) in (answer.body.settings.away || {}));
  });
  assert.deepEqual(page.problems, []);
});

test('a head of a department marks their own people away, and no one else', { timeout: 60000 }, async () => {
  // Жанна heads the sales department; she is not an admin and sees no reports.
  const head = world.people.zhanna.id;
  const made = await world.control('departments', { ID: world.departments.closers, UF_HEAD: String(head) });
  assert.equal(made.status, 200, made.text);
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT', user: head }, 'section[data-queue="closers"]');
  assert.equal(await frame.locator('[data-tab="dashboard"]').isVisible(), false);
  const row = frame.locator(`section[data-queue="closers"] tr[data-member="${world.people.dmitry.id}"]`);
  await row.locator(`[data-pause="${world.people.dmitry.id}"]`).click();
  await frame.locator('#cv-setup-result .cv-banner-ok').waitFor();
  const saved = await world.ops('GET', 'settings');
  assert.equal(saved.body.settings.away[String(world.people.dmitry.id)], 'paused');
  // Анна is in the call center, not Жанна's: the page offers no button, and the API refuses.
  assert.equal(await frame.locator(`[data-pause="${world.people.anna.id}"]`).count(), 0);
  const inner = page.frame({ name: 'app-frame' });
  const refused = await inner.evaluate(async (anna) => {
    const boot = JSON.parse(document.getElementById('conveyor-boot').textContent);
    const answer = await fetch(`/api/portals/${boot.member_id}/away/${anna}`, {
      method: 'PUT', headers: { Authorization: `Session ${boot.session}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ paused: true }),
    });
    return { status: answer.status, error: (await answer.json()).error };
  }, world.people.anna.id);
  assert.deepEqual(refused, { status: 403, error: 'access_required' });
  await settle(page);
  await page.screenshot({ path: screenshotPath('setup-head.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('the settings tab picks by name too: who sees the reports, a stage norm, a field to copy', { timeout: 60000 }, async () => {
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT' }, 'body[data-ready]');
  await frame.locator('[data-tab="settings"]').click();
  await frame.locator('[data-picker="reports.viewers"]').waitFor();
  await frame.locator('[data-search="reports.viewers"]').fill('анна');
  await frame.locator('[data-picker="reports.viewers"] label', { hasText: 'Анна Иванова' }).locator('input').check();
  await frame.locator('section[data-part="reports"] label', { hasText: 'Встреча назначена' }).locator('input').fill('50');
  await frame.locator('section[data-part="fields"] button').click();
  const row = frame.locator('[data-mapping] tr').last();
  await row.locator('select[name="field_mapping.from"]').selectOption({ label: 'Готов в другой день: дата' });
  await row.locator('select[name="field_mapping.to"]').selectOption({ label: 'Клиент готов' });
  await frame.locator('#cv-save').click();
  await frame.locator('#cv-settings-result .cv-banner-ok').waitFor();
  const saved = (await world.ops('GET', 'settings')).body.settings;
  assert.deepEqual(saved.reports.viewers, [world.people.anna.id]);
  assert.equal(saved.reports.stage_norm_hours['sales.MEETING'], 50);
  assert.deepEqual(saved.field_mapping, { UF_CRM_CONVEYOR_READY_DATE: 'UF_CRM_CONVEYOR_READY_DATE' });
  await settle(page);
  await page.screenshot({ path: screenshotPath('settings-picked.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});
