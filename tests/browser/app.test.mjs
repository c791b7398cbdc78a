// The app page in a browser: the dashboard of journeys; an admin changes a queue's cap on the
// set-up tab, saves, and the conveyor acts on it; a viewer previews a settings change but cannot
// save (the button is off and the API refuses the page's own session); anyone else is told why
// they see nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { World, eventually, screenshotPath, settle } from './harness.mjs';

let world;
let deal; // Дмитрий's first deal: with a cap of 1 he is full

before(async () => {
  world = await World.start('app');
  const lead = await world.newLead('Двери в квартиру', '+7 900 000-00-01');
  deal = await world.readyNow(lead, 90000);
}, { timeout: 90000 });

after(async () => {
  if (world) await world.stop();
});

test('the dashboard shows the report of journeys', { timeout: 60000 }, async () => {
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT' }, '.cv-kpis, #cv-report .cv-state-error');
  assert.equal(await frame.locator('#cv-report .cv-state-error').count(), 0,
    await frame.locator('#cv-report').innerText());
  assert.equal(await frame.locator('[data-tab="dashboard"]').getAttribute('aria-selected'), 'true');
  for (const section of ['funnel', 'revenue', 'stage_times', 'stuck', 'load', 'reasons']) {
    assert.equal(await frame.locator(`section[data-section="${section}"]`).count(), 1, section);
    assert.equal(await frame.locator(`[data-csv="${section}"]`).count(), 1, `${section} CSV button`);
  }
  assert.ok(await frame.locator('svg.cv-chart').count() >= 3, 'the funnel, revenue and load charts are drawn');
  assert.match(await frame.locator('section[data-section="load"]').innerText(), /Дмитрий Кузнецов/);

  // The employee filter offers the people of the report, and filtering asks the server again.
  const options = await frame.locator('select[name="employee"] option').allInnerTexts();
  assert.ok(options.includes('Дмитрий Кузнецов'), options.join(', '));

  // A CSV section downloads through the API (the session header is sent, so not a plain link).
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    frame.locator('[data-csv="funnel"]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^conveyor-funnel-.*\.csv$/);

  await settle(page);
  await page.screenshot({ path: screenshotPath('app-dashboard.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('an admin changes a queue cap on the set-up tab, saves, and the conveyor follows it', { timeout: 90000 }, async () => {
  const before = await world.ops('GET', 'settings');
  assert.equal(before.status, 200);
  assert.equal(before.body.settings.queues.closers.cap, 15);

  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT' }, 'body[data-ready]');
  await frame.locator('[data-tab="setup"]').click();
  const cap = frame.locator('input[name="queues.closers.cap"]');
  await cap.waitFor();
  assert.equal(await cap.inputValue(), '15');
  assert.equal(await frame.locator('#cv-setup-save').isDisabled(), false);
  await cap.fill('1');

  await frame.locator('#cv-setup-save').click();
  await frame.locator('#cv-setup-result .cv-banner-ok').waitFor();
  const version = Number(before.body.version) + 1;
  assert.match(await frame.locator('#cv-setup-result').innerText(), new RegExp(`версия настроек: ${version}`));
  assert.equal(await frame.locator('input[name="queues.closers.cap"]').inputValue(), '1');
  await settle(page);
  await page.screenshot({ path: screenshotPath('app-setup-cap.png'), fullPage: true });

  const saved = await world.ops('GET', 'settings');
  assert.equal(saved.body.version, version);
  assert.equal(saved.body.settings.queues.closers.cap, 1);

  // The effect: Дмитрий holds one open deal, so with a cap of 1 the next ready client waits at
  // the free stage, and the journal says he was at the cap.
  const next = await world.newLead('Балкон под ключ', '+7 900 000-00-02');
  const waiting = await world.readyNow(next);
  assert.equal(waiting.STAGE_ID.replace(/^C\d+:/, ''), 'NEW', 'the deal waits for a closer');
  const journal = await eventually('the waiting decision', async () => {
    // The hand-over decision is the lead's: it names the deal it made and who could take it.
    const answer = await world.ops('GET', `decisions?entity_type=lead&entity_id=${next.ID}`);
    return (answer.body?.decisions || []).find((d) => d.kind === 'waiting' || d.kind === 'handover');
  });
  const dmitry = (journal.reasons.candidates || []).find((c) => c.user_id === world.people.dmitry.id);
  assert.equal(journal.kind, 'waiting', JSON.stringify(journal));
  assert.equal(dmitry?.verdict, 'at_cap', JSON.stringify(journal));
  assert.equal(journal.settings_version, version);

  // And the tab of that deal explains it.
  const tab = await world.open(page, { placement: 'CRM_DEAL_DETAIL_TAB', id: waiting.ID }, '.cv-decision');
  assert.match(await tab.locator('.cv-decisions').innerText(), /Дмитрий Кузнецов — достигнут лимит/);
  assert.deepEqual(page.problems, []);
});

test('a user who is not an admin sees no analytics or settings: the page says why and the API refuses', { timeout: 60000 }, async () => {
  const hunter = world.people.anna.id;
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT', user: hunter }, '#cv-no-access');
  assert.match(await frame.locator('#cv-no-access').innerText(), /администраторам портала/);
  assert.equal(await frame.locator('.cv-tabs').isVisible(), false);
  const inner = page.frame({ name: 'app-frame' });
  const answers = await inner.evaluate(async () => {
    const boot = JSON.parse(document.getElementById('conveyor-boot').textContent);
    const headers = { Authorization: `Session ${boot.session}` };
    const base = `/api/portals/${boot.member_id}/`;
    const out = {};
    for (const path of ['report', 'settings', 'decisions']) {
      const answer = await fetch(base + path, { headers });
      out[path] = { status: answer.status, error: (await answer.json()).error };
    }
    return out;
  });
  for (const path of ['report', 'settings', 'decisions']) {
    assert.deepEqual(answers[path], { status: 403, error: 'access_required' }, path);
  }
  await settle(page);
  await page.screenshot({ path: screenshotPath('app-no-access.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('a viewer the admin names cannot save: the button is off and the API refuses', { timeout: 60000 }, async () => {
  const hunter = world.people.anna.id;
  const granted = await world.ops('PATCH', 'settings', { reports: { viewers: [Number(hunter)] } });
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'DEFAULT', user: hunter }, 'body[data-ready]');
  await frame.locator('[data-tab="settings"]').click();
  await frame.locator('#cv-save').waitFor();
  assert.equal(await frame.locator('#cv-save').isDisabled(), true);
  assert.match(await frame.locator('#cv-readonly').innerText(), /только администратор/);

  // The preview still works for reading, and says what would change.
  await frame.locator('input[name="sla_minutes.lead.assigned"]').fill('7');
  await frame.locator('#cv-preview').click();
  const changes = frame.locator('.cv-changes');
  await changes.waitFor();
  assert.equal(await changes.getAttribute('data-changes'), '1');
  assert.match(await changes.locator('tbody tr').first().innerText(), /sla_minutes\.lead\.assigned[\s\S]*15[\s\S]*7/);

  // The page's own session, straight at the API: refused.
  const inner = page.frame({ name: 'app-frame' });
  const answer = await inner.evaluate(async () => {
    const boot = JSON.parse(document.getElementById('conveyor-boot').textContent);
    const headers = { Authorization: `Session ${boot.session}`, 'Content-Type': 'application/json' };
    const base = `/api/portals/${boot.member_id}/settings`;
    const current = await (await fetch(base, { headers })).json();
    const put = await fetch(base, {
      method: 'PUT', headers: { ...headers, 'If-Match': String(current.version) }, body: JSON.stringify(current.settings),
    });
    return { admin: boot.user.admin, status: put.status, body: await put.json() };
  });
  assert.equal(answer.admin, false);
  assert.equal(answer.status, 403);
  assert.equal(answer.body.error, 'admin_required');
  const unchanged = await world.ops('GET', 'settings');
  assert.equal(unchanged.body.settings.sla_minutes['lead.assigned'], 15);

  await settle(page);
  await page.screenshot({ path: screenshotPath('app-settings-not-admin.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});
