// The card tab in a browser: a lead handed over to a closer shows its whole journey in the deal's
// tab (lead and sales deal, stages, who had them, why the closer was chosen); a link leads to the
// lead's card; a lead named like a script stays text; a page request that is not the portal's own
// is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MEMBER, World, call, screenshotPath, settle } from './harness.mjs';

let world;
let lead; // the lead as the portal had it when it reached a hunter
let deal; // its sales deal

before(async () => {
  world = await World.start('journey');
  lead = await world.newLead('Окна в загородный дом', '+7 912 345-67-89');
  deal = await world.readyNow(lead);
}, { timeout: 90000 });

after(async () => {
  if (world) await world.stop();
});

test('the deal tab shows the journey: the lead, the sales deal, their stages and people', { timeout: 60000 }, async () => {
  assert.equal(Number(deal.ASSIGNED_BY_ID), world.people.dmitry.id, 'the closer at work got the deal');
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'CRM_DEAL_DETAIL_TAB', id: deal.ID }, '.cv-lanes');

  const leadLane = frame.locator('.cv-lane-lead');
  const salesLane = frame.locator('.cv-lane-sales');
  await leadLane.getByText('Окна в загородный дом').first().waitFor();
  assert.match(await leadLane.innerText(), new RegExp(`Лид №${lead.ID}`));
  assert.match(await salesLane.innerText(), new RegExp(`Сделка №${deal.ID}`));
  assert.match(await salesLane.innerText(), /эта карточка/);
  assert.match(await salesLane.innerText(), /Менеджер назначен/);
  assert.match(await salesLane.innerText(), /Дмитрий Кузнецов/);
  assert.match(await frame.locator('.cv-lane-production').innerText(), /ещё нет/);

  // Each item's stages, with the hunter on the lead's and the closer on the deal's.
  const history = await frame.locator('.cv-history').allInnerTexts();
  assert.equal(history.length, 2, 'one stage table per item');
  assert.match(history[0], /Менеджер назначен/);
  assert.match(history[0], /Готов СЕЙЧАС/);
  assert.match(history[0], /Анна Иванова/);
  assert.match(history[1], /Менеджер назначен/);
  assert.match(history[1], /Дмитрий Кузнецов/);
  assert.match(history[1], /сейчас/, 'the stage the deal is in runs until now');

  // Why the closer: chosen, and the absent one skipped.
  const decisions = frame.locator('.cv-decision');
  assert.ok(await decisions.count() >= 2, 'the hunter\'s and the closer\'s assignment are journaled');
  const handover = frame.locator('.cv-decision[data-kind="handover"]');
  assert.match(await handover.innerText(), /Передача в продажи/);
  assert.match(await handover.innerText(), /Выбран\(а\): Дмитрий Кузнецов/);
  assert.match(await handover.innerText(), /Жанна Орлова — не на работе/);

  // The portal sized the frame to the page (BX24.fitWindow; its answer comes asynchronously).
  await page.waitForFunction(
    () => document.querySelector('#app-frame').getBoundingClientRect().height > 400,
    null, { timeout: 10000 });

  await settle(page);
  await page.screenshot({ path: screenshotPath('journey-tab.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('a link in the tab opens the lead\'s card on the portal', { timeout: 60000 }, async () => {
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'CRM_DEAL_DETAIL_TAB', id: deal.ID }, '.cv-lanes');
  const link = frame.locator('.cv-lane-lead .cv-item-link');
  assert.equal(await link.getAttribute('href'), `${world.emu}/crm/lead/details/${lead.ID}/`);
  assert.equal(await link.getAttribute('target'), '_top');
  await Promise.all([
    page.waitForURL(new RegExp(`/crm/lead/details/${lead.ID}/`)),
    link.click(),
  ]);
  assert.match(await page.locator('#heading').innerText(), /Окна в загородный дом/);
  // The lead's card has the app's tab too, showing the same journey from the lead's side.
  const tab = page.frameLocator('#app-frame');
  await tab.locator('.cv-item-this').first().waitFor();
  assert.match(await tab.locator('.cv-item-this').innerText(), new RegExp(`Лид №${lead.ID}`));
  await settle(page);
  await page.screenshot({ path: screenshotPath('lead-card.png'), fullPage: true });
});

test('a lead titled like a script renders as text and runs nothing', { timeout: 60000 }, async () => {
  const title = '<script>window.__pwned=1</script>';
  const evil = await world.newLead(title, '+7 900 111-22-33');
  const page = await world.browser();
  const frame = await world.open(page, { placement: 'CRM_LEAD_DETAIL_TAB', id: evil.ID }, '.cv-lanes');
  const shown = await frame.locator('.cv-item-this .cv-item-title').innerText();
  assert.equal(shown, title);
  assert.equal(await frame.locator('.cv-journey script').count(), 0);
  const inner = page.frame({ name: 'app-frame' });
  assert.equal(await inner.evaluate(() => typeof window.__pwned), 'undefined');
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined');
  await settle(page);
  await page.screenshot({ path: screenshotPath('journey-script-title.png'), fullPage: true });
});

test('a card the conveyor has not seen shows a friendly empty state; English works', { timeout: 60000 }, async () => {
  const id = Number(await world.hook('crm.deal.add', { fields: { TITLE: 'Старая сделка' } }));
  const page = await world.browser();
  // No app event for a webhook-made deal is awaited: the tab opens before the conveyor sees it,
  // or after it has (then it is a journey of its own); both are fine pages, in English.
  const frame = await world.open(page, { placement: 'CRM_DEAL_DETAIL_TAB', id, lang: 'en' }, '.cv-empty, .cv-lanes');
  assert.equal(await frame.locator('h1').innerText(), 'Customer journey');
  const text = await frame.locator('#journey').innerText();
  assert.ok(/has not seen this card yet|Sales/.test(text), text);
  assert.deepEqual(page.problems, []);
});

// The page request as the portal's frame page would POST it (read from that page's own form).
async function pageRequest(placement, id) {
  const html = (await call(world.frameUrl({ placement, id }))).text;
  const action = /<form id="app-form"[^>]*action="([^"]+)"/.exec(html);
  assert.ok(action, 'the frame page has the placement form');
  const decode = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  const form = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form[decode(name)] = decode(value);
  }
  return { url: decode(action[1]), form };
}

test('a page is proven by its AUTH_ID: the documented request opens and forgeries are refused', { timeout: 30000 }, async () => {
  const request = await pageRequest('CRM_DEAL_DETAIL_TAB', deal.ID);
  assert.ok(request.url.startsWith(`${world.app}/placements/deal`), request.url);
  assert.equal(request.form.member_id, MEMBER);
  assert.equal(request.form.APPLICATION_TOKEN, undefined, 'a portal sends no application token to a page');

  const genuine = await call(request.url, { method: 'POST', form: request.form });
  assert.equal(genuine.status, 200, genuine.text);
  assert.match(genuine.text, /id="conveyor-boot"/);
  assert.match(genuine.headers.get('content-security-policy') || '', /script-src 'self'/);

  const forged = await call(request.url, { method: 'POST', form: { ...request.form, APPLICATION_TOKEN: 'not-the-portals-token' } });
  assert.equal(forged.status, 401);
  assert.doesNotMatch(forged.text, /conveyor-boot/);
  const stranger = await call(request.url, { method: 'POST', form: { ...request.form, AUTH_ID: 'made-up-token' } });
  assert.equal(stranger.status, 401);
  assert.doesNotMatch(stranger.text, /conveyor-boot/);

  // A session is needed for the data behind the page, too.
  const data = await call(`${world.app}/api/portals/${MEMBER}/journey?entity_type=deal&entity_id=${deal.ID}`, {
    headers: { Authorization: 'Session forged.session' },
  });
  assert.equal(data.status, 401);
  assert.equal(data.body.error, 'invalid_session');
});
